#!/usr/bin/env bash
# tracelab training kit: runs the bundled CLI or a benchmark with the kit's Node.js and, where the machine lacks
# them, the kit's Vulkan loader libraries.
#   ./run.sh tracelab ARGS...        the tracelab CLI (train, render, denoise, compare, ...)
#   ./run.sh bench-train ARGS...     bench/train.ts (training steps/s, GFLOP/s against the FMA peak)
#   ./run.sh bench-denoise ARGS...   bench/denoise.ts
#   ./run.sh bench-online ARGS...    bench/online.ts (the app's online training, side by side)
#   ./run.sh node ARGS...            the kit's Node.js itself
#   ./run.sh root                    prints the folder commands run in (the kit, or the checkout that holds it)
set -euo pipefail
KIT="$(cd "$(dirname "$0")" && pwd)"
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
# commands run in the folder whose package.json is tracelab's: the kit itself, or the checkout a lean kit sits in
ROOT="$KIT"
while [ "$ROOT" != / ] && ! grep -qs '"name": *"tracelab"' "$ROOT/package.json"; do ROOT="$(dirname "$ROOT")"; done
if [ "$ROOT" = / ]; then echo "run.sh: no tracelab package.json in $KIT or above it (a kit packed --in-checkout must sit inside a checkout)" >&2; exit 1; fi
if [ "$1" = root ]; then echo "$ROOT"; exit 0; fi
unpack() { # FILE.xz -> FILE, once
  [ -e "$1" ] && return 0
  if command -v xz >/dev/null; then xz -dc "$1.xz" > "$1.tmp"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1.xz" "$1.tmp"; fi
  mv "$1.tmp" "$1"
}
NODE="$KIT/bin/node"
unpack "$NODE" && chmod +x "$NODE"
unpack "$KIT/node_modules/webgpu/dist/linux-x64/dawn.node"
# the kit's copies of libraries the system lacks (the Vulkan loader; glvnd's dispatch library for NVIDIA's ICD)
mkdir -p "$KIT/lib.use"
# read once, then searched: `ldconfig -p | grep -q` would SIGPIPE ldconfig when grep stops early, which pipefail
# turns into "not found"
system_libs="$(ldconfig -p 2>/dev/null || true)"
for lib in "$KIT"/lib/*; do
  [ -e "$lib" ] || continue
  name="$(basename "$lib")"
  if ! grep -q " $name " <<< "$system_libs"; then ln -sf "$lib" "$KIT/lib.use/$name"; fi
done
export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$KIT/lib.use"
# containers that mount the NVIDIA driver outside the loader's search path
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1; then
  for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/icd.d/nvidia_icd.json; do
    if [ -f "$f" ]; then export VK_DRIVER_FILES="$f"; break; fi
  done
fi
cmd="$1"; shift
case "$cmd" in
  tracelab) script=tracelab.mjs ;;
  bench-train) script=bench-train.mjs ;;
  bench-denoise) script=bench-denoise.mjs ;;
  bench-online) script=bench-online.mjs ;;
  node) cd "$ROOT"; exec "$NODE" "$@" ;;
  *) echo "run.sh: unknown command '$cmd'" >&2; usage ;;
esac
cd "$ROOT"
exec "$NODE" "$KIT/$script" "$@"
