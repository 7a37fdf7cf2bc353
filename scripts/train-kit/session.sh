#!/usr/bin/env bash
# tracelab training kit: a device session's work in one command, inside a time budget: a training stage (stage.sh),
# then its weights scored against the shipped ones (tracelab validate, with and without emission separation; tracelab
# compare on built-in scenes), then bench-denoise (the conv strips side by side) and bench-online. Each step after the
# stage runs only if the budget still holds the time it needs, under a timeout of what is left; a failing step is
# logged and the next one runs. At the end (or on
# SIGINT/SIGTERM) the results are packed into OUT: session.log (every step's output and status), results.tgz (the
# stage's config, log and weights, validate's and compare's JSON) and the stage's weights file.
#   ./session.sh --budget S --out DIR --model SPEC [--ref-spp N] [--val-size S] [--val-scenes N]
#                [--compare-scenes LIST] [--compare-size WxH] [--compare-ref-spp N] [--online-seconds N]
#                [--denoise-specs LIST] [--denoise-sizes LIST] [--skip LIST] [--debs DIR] [--software yes]
#                -- STAGE_ARGS...
# STAGE_ARGS go to stage.sh (they must give --name; --seconds is set to what the budget leaves for the stage:
# --stage-seconds S, default the budget less 180 s for the scoring). --skip: steps to leave out, of stage,
# validate, compare, denoise, online. Before anything, it names the adapter and stops on a software one (unless
# --software yes) or none (after unpacking DIR/*.deb into / with --debs, if given).
set -uo pipefail
KIT="$(cd "$(dirname "$0")" && pwd)"
RUN="$KIT/run.sh"
t0=$(date +%s)
budget="" out="" model="" debs="" software=no ref_spp=4096 val_size=256 val_scenes=8 stage_s="" skip=""
cmp_scenes=cornell-box,material-test,glass-caustics cmp_size=256x256 cmp_ref=4096 online_s=10
dn_specs=n2n-fast,n2n-paper-demod dn_sizes=512x512,1920x1080
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  [ $# -ge 2 ] || { echo "session.sh: '$1' needs a value" >&2; exit 2; }
  case "$1" in
    --budget) budget="$2" ;; --out) out="$2" ;; --model) model="$2" ;; --ref-spp) ref_spp="$2" ;;
    --val-size) val_size="$2" ;; --val-scenes) val_scenes="$2" ;; --stage-seconds) stage_s="$2" ;;
    --compare-scenes) cmp_scenes="$2" ;; --compare-size) cmp_size="$2" ;; --compare-ref-spp) cmp_ref="$2" ;;
    --online-seconds) online_s="$2" ;; --denoise-specs) dn_specs="$2" ;; --denoise-sizes) dn_sizes="$2" ;;
    --skip) skip="$2" ;; --debs) debs="$2" ;; --software) software="$2" ;;
    *) echo "session.sh: unknown option '$1'" >&2; sed -n '9,12p' "$0" >&2; exit 2 ;;
  esac
  shift 2
done
[ "${1:-}" = -- ] && shift
stage_args=("$@")
for v in budget ref_spp val_size val_scenes online_s cmp_ref ${stage_s:+stage_s}; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "session.sh: --${v//_/-} must be a whole number, got '${!v}'" >&2; exit 2; }
done
[ -n "$out" ] || { echo "session.sh: --out is required" >&2; exit 2; }
[ -n "$model" ] || { echo "session.sh: --model is required" >&2; exit 2; }
name=""
for ((i = 0; i < ${#stage_args[@]}; i++)); do [ "${stage_args[$i]}" = --name ] && name="${stage_args[$((i + 1))]:-}"; done
skipped() { [[ ",$skip," == *",$1,"* ]]; }
skipped stage || [ -n "$name" ] || { echo "session.sh: the stage's arguments (after --) must give --name" >&2; exit 2; }
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
work="$out/session"
mkdir -p "$work"
LOG="$out/session.log"
: > "$LOG"
say() { echo "session.sh [$(( $(date +%s) - t0 ))s] $*" | tee -a "$LOG" >&2; }
left() { echo $(( budget - ($(date +%s) - t0) )); }
pack() {
  trap - EXIT INT TERM
  # of compare's reports, the scores (results.json); the images stay behind
  find "$work" -path '*/compare-*' -type f ! -name results.json -delete 2>/dev/null
  tar czf "$out/results.tgz" -C "$out" session 2>>"$LOG" && rm -rf "$work"
  say "packed $out/results.tgz; $(left)s of the budget left"
}
trap pack EXIT
trap 'say "stopped by a signal"; exit 130' INT TERM
# step NAME NEED COMMAND...: runs COMMAND (output to the log) if NEED seconds are left, under a timeout of what is
# left (at most $cap seconds when cap is set)
step() {
  local what="$1" need="$2"; shift 2
  local l; l=$(left)
  if [ "$l" -lt "$need" ]; then say "$what: skipped, ${l}s left (needs ${need}s)"; return 1; fi
  [ -n "${cap:-}" ] && [ "$l" -gt "$cap" ] && l=$cap
  say "$what: $*"
  local status=0
  timeout --signal=INT "$l" "$@" >>"$LOG" 2>&1 || status=$?
  say "$what: exit status $status"
  return "$status"
}

# the adapter, before anything: without a Vulkan driver there is nothing to do (--debs: glvnd's Debian packages,
# unpacked into / when no adapter is found, the fix an H200 container needed; see the kit README)
adapter() { cap=60 step adapter 5 "$RUN" tracelab info && grep -q '^adapter: ' "$LOG"; }
if ! adapter && [ -n "$debs" ]; then
  say "no adapter: unpacking $debs/*.deb into /"
  for f in "$debs"/*.deb; do dpkg -x "$f" / >>"$LOG" 2>&1; done
  ldconfig >>"$LOG" 2>&1
  adapter || exit 1
elif ! grep -q '^adapter: ' "$LOG"; then
  exit 1
fi
if grep -q '^software (fallback) adapter: yes' "$LOG" && [ "$software" != yes ]; then
  say "the adapter is a software one: stopping (--software yes runs anyway)"; exit 1
fi

weights=""
if ! skipped stage; then
  s=${stage_s:-$(( $(left) - 180 ))}
  step stage "$s" "$KIT/stage.sh" "${stage_args[@]}" --seconds "$s" --out "$work/stage"
  [ -f "$work/stage/$name.bin" ] && weights="$work/stage/$name.bin"
fi

if ! skipped validate; then
  for sep in 0 32; do
    tag=$([ "$sep" = 0 ] && echo plain || echo separated)
    common=(tracelab validate --model "$model" --ref-spp "$ref_spp" --size "$val_size" --scenes "$val_scenes" --emission-spp "$sep")
    [ -n "$weights" ] && step "validate $name $tag" 30 "$RUN" "${common[@]}" --weights "$weights" --json "$work/validate-$name-$tag.json"
    step "validate shipped $tag" 30 "$RUN" "${common[@]}" --json "$work/validate-shipped-$tag.json"
  done
fi

if ! skipped compare; then
  common=(tracelab compare --scenes "$cmp_scenes" --spp 4,8,64 --size "$cmp_size" --ref-spp "$cmp_ref" --repeat 1 --emission-spp 32)
  shipped=$([ "$model" = n2n-fast ] && echo n2n-fast || echo "n2n-fast,$model") # n2n-fast: the default model, beside it
  step "compare shipped" 40 "$RUN" "${common[@]}" --denoisers "$shipped" --out "$work/compare-shipped"
  [ -n "$weights" ] && step "compare $name" 40 "$RUN" "${common[@]}" --denoisers "$model" --weights "$model=$weights" --out "$work/compare-$name"
fi

# the denoiser's conv strips side by side: '4x8' is the default on GPUs without having been timed on one
skipped denoise || step denoise 40 "$RUN" bench-denoise --specs "$dn_specs" --strips 8x16,4x8 --sizes "$dn_sizes" --repeats 3
skipped online || step online 55 "$RUN" bench-online --seconds "$online_s"
[ -n "$weights" ] && cp "$weights" "$out/"
exit 0
