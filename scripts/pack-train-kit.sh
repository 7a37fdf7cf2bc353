#!/usr/bin/env bash
# Packs a self-contained training kit for a Linux x86-64 GPU machine that has a Vulkan driver but no Node.js, npm
# or network: `bash scripts/pack-train-kit.sh [--in-checkout] [DIR]` (default dist/train-kit, ~46 MiB). Run it after
# `npm ci`. With --in-checkout the kit leaves out denoiser/ (~14 MiB) and is meant to sit inside a copy of this
# checkout (say .kit/), whose denoiser/ it then uses (~32 MiB). XZ_LEVEL (default 6) sets the compression.
# The kit holds this machine's Node.js binary (xz-compressed), the `webgpu` addon (Dawn) for linux-x64, the CLI and
# the training/denoising benchmarks bundled into single files (scripts/bundle-node.mjs), the Vulkan loader library,
# and denoiser/ (specs, configs, shipped weights and run logs). On the GPU machine, from the kit's directory:
#   ./run.sh tracelab train --config denoiser/configs/NAME.json   # any tracelab command
#   ./run.sh bench-train --spec n2n-paper-demod                    # bench/train.ts
#   ./run.sh bench-online --seconds 10                             # bench/online.ts (the app's online training)
#   ./stage.sh SECONDS ...                                         # a training stage sized to a time budget
#   ./session.sh --budget S --out DIR --model M -- STAGE_ARGS...  # a device session: stage, validate, compare, bench-online
# See scripts/train-kit/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
lean=0
if [ "${1:-}" = --in-checkout ]; then lean=1; shift; fi
KIT="${1:-dist/train-kit}"
[ -d node_modules/webgpu/dist/linux-x64 ] || { echo "pack-train-kit: node_modules/webgpu is missing: run npm ci first" >&2; exit 1; }
[ "$(uname -m)" = x86_64 ] || { echo "pack-train-kit: the kit carries this machine's node binary, so it must be packed on x86-64 (this is $(uname -m))" >&2; exit 1; }
rm -rf "$KIT.tmp"
mkdir -p "$KIT.tmp/node_modules/webgpu/dist/linux-x64" "$KIT.tmp/lib" "$KIT.tmp/bin"
node scripts/bundle-node.mjs src/cli/main.ts "$KIT.tmp/tracelab.mjs"
node scripts/bundle-node.mjs bench/train.ts "$KIT.tmp/bench-train.mjs"
node scripts/bundle-node.mjs bench/denoise.ts "$KIT.tmp/bench-denoise.mjs"
node scripts/bundle-node.mjs bench/online.ts "$KIT.tmp/bench-online.mjs"
# `tracelab compare` inlines uPlot's script and stylesheet into report.html, read from the package at run time
mkdir -p "$KIT.tmp/node_modules/uplot/dist"
cp node_modules/uplot/package.json node_modules/uplot/LICENSE "$KIT.tmp/node_modules/uplot/"
cp node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css "$KIT.tmp/node_modules/uplot/dist/"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js node_modules/webgpu/LICENSE.md "$KIT.tmp/node_modules/webgpu/"
# compressed like node: run.sh unpacks both on first use
xz -T0 "-${XZ_LEVEL:-6}" -c node_modules/webgpu/dist/linux-x64/dawn.node > "$KIT.tmp/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
# the Vulkan loader, and glvnd's libraries that NVIDIA's Vulkan driver links to: GPU machines (containers especially)
# have the driver but not always these; run.sh uses a copy only where the machine has none. An H200 container
# (2026-11-27) had the driver and its ICD file but none of glvnd: with only libGLdispatch and libGLX, the loader
# could not create an instance ("Could not get 'vkCreateInstance' via 'vk_icdGetInstanceProcAddr'"); with all of
# glvnd's libraries installed from Debian's packages it ran, so the kit carries all of them
for lib in libvulkan.so.1 libGLdispatch.so.0 libGLX.so.0 libEGL.so.1 libGL.so.1 libOpenGL.so.0 libGLESv2.so.2; do
  # awk reads all of ldconfig's output (no early exit): under pipefail a SIGPIPE to ldconfig would end the script
  path="$(ldconfig -p | awk -v n="$lib" '$1 == n && /x86-64/ && !found { print $NF; found = 1 }')"
  if [ -n "$path" ]; then cp -L "$path" "$KIT.tmp/lib/$lib"; else echo "pack-train-kit: no $lib here; the GPU machine must have its own" >&2; fi
done
xz -T0 "-${XZ_LEVEL:-6}" -c "$(command -v node)" > "$KIT.tmp/bin/node.xz"
if [ "$lean" = 0 ]; then
  mkdir -p "$KIT.tmp/denoiser"
  cp -r denoiser/specs denoiser/configs denoiser/weights denoiser/runs "$KIT.tmp/denoiser/"
  # findPackageRoot looks for the package.json named tracelab: the kit's shipped weights and configs are found from it
  printf '{ "name": "tracelab", "private": true, "type": "module", "description": "tracelab training kit" }\n' > "$KIT.tmp/package.json"
fi
cp scripts/train-kit/run.sh scripts/train-kit/stage.sh scripts/train-kit/session.sh scripts/train-kit/README.md "$KIT.tmp/"
chmod +x "$KIT.tmp/run.sh" "$KIT.tmp/stage.sh" "$KIT.tmp/session.sh"
git rev-parse HEAD > "$KIT.tmp/COMMIT" 2>/dev/null || true
rm -rf "$KIT"
mv "$KIT.tmp" "$KIT"
echo "train kit: $KIT ($(du -sh "$KIT" | cut -f1))"
