#!/usr/bin/env bash
# tracelab training kit: one training stage sized to a time budget. Measures this machine's training rate
# (bench/train.ts, host-sampled batches), writes a config whose step count ends, with its full learning-rate
# ramp-down, inside the budget, and trains it (`tracelab train`). Run the same command again to resume the stage.
#   ./stage.sh --seconds S --name NAME [--spec SPEC] [--init WEIGHTS] [--seed N] [--lr X] [--ramp F]
#              [--scenes N] [--first-scene I] [--size S] [--batch B] [--crop C] [--val-scenes N] [--val-size S]
#              [--ref-spp N] [--target-spp N] [--ema D] [--separate-emission yes|no] [--data-seconds D] [--steps N]
#              [--rate-scale F] [--runs DIR] [--out DIR]
# --seconds: the whole budget (benchmark, data rendering, training, validation); --data-seconds: the part set aside
# for rendering the pairs and validation set (default 90) in the provisional step count: once the data are
# rendered, the run fits its steps to the time left at the benchmark's rate (tracelab train --fit-seconds, which
# rewrites the config); --rate-scale F plans for F times the measured rate (default 1; below 1 on a machine whose
# rate may drop while the stage runs, e.g. one shared with other jobs); --steps skips the benchmark and the fitting; --target-spp renders the
# noisy targets with at least that many samples (the config's data.targetSpp; default: the input's spp); --ema keeps a moving
# average of the weights with that decay per step and writes it as the weights (the config's emaDecay);
# --separate-emission yes takes the emission the camera sees out of the pairs and validates separated (the config's
# data.separateEmission), as the runtime denoises with emission separation. The config is written to
# RUNS/NAME.json and the run to RUNS/NAME/ (RUNS: --runs, default runs/ in the folder `./run.sh root` prints); with
# --out the weights, log and config are copied there too.
set -euo pipefail
KIT="$(cd "$(dirname "$0")" && pwd)"
RUN="$KIT/run.sh"
ROOT="$("$RUN" root)"
t0=$(date +%s)
fit=()
seconds="" name="" spec=n2n-paper-demod init="" seed=1 lr=0.0003 ramp=0.3 scenes=400 first=0 batch=8 crop=128
data_s=90 rate_scale=1 steps="" out="" runs="" size=256 val_scenes=8 val_size=256 ref_spp=4096 target_spp= ema= separate=no
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "stage.sh: '$1' needs a value" >&2; exit 2; }
  case "$1" in
    --seconds) seconds="$2" ;; --name) name="$2" ;; --spec) spec="$2" ;; --init) init="$2" ;; --seed) seed="$2" ;;
    --lr) lr="$2" ;; --ramp) ramp="$2" ;; --scenes) scenes="$2" ;; --first-scene) first="$2" ;; --batch) batch="$2" ;;
    --crop) crop="$2" ;; --data-seconds) data_s="$2" ;; --steps) steps="$2" ;; --out) out="$2" ;;
    --runs) runs="$2" ;; --size) size="$2" ;; --val-scenes) val_scenes="$2" ;; --val-size) val_size="$2" ;; --ref-spp) ref_spp="$2" ;;
    --target-spp) target_spp="$2" ;; --ema) ema="$2" ;; --separate-emission) separate="$2" ;; --rate-scale) rate_scale="$2" ;;
    *) echo "stage.sh: unknown option '$1'" >&2; sed -n '5,8p' "$0" >&2; exit 2 ;;
  esac
  shift 2
done
case "$separate" in yes|no) ;; *) echo "stage.sh: --separate-emission must be yes or no, got '$separate'" >&2; exit 2 ;; esac
awk -v f="$rate_scale" 'BEGIN { exit !(f ~ /^([0-9]+\.?[0-9]*|\.[0-9]+)$/ && f > 0 && f <= 1) }' ||
  { echo "stage.sh: --rate-scale must be a number above 0 and at most 1, got '$rate_scale'" >&2; exit 2; }
case "$out" in ""|/*) ;; *) out="$PWD/$out" ;; esac
case "$runs" in "") runs="$ROOT/runs" ;; /*) ;; *) runs="$PWD/$runs" ;; esac
[ -n "$name" ] || { echo "stage.sh: --name is required" >&2; exit 2; }
[ -n "$seconds$steps" ] || { echo "stage.sh: give --seconds (or --steps)" >&2; exit 2; }
mkdir -p "$runs"
config="$runs/$name.json"
if [ -f "$config" ]; then
  # the stage was started before: train its config on (the run resumes from its last checkpoint)
  echo "stage.sh: $config exists: resuming that stage" >&2
elif [ -z "$steps" ]; then
  bench="$("$RUN" bench-train --quick --batch "$batch" --crop "$crop" --spec "$spec" --rows "${STRIP_ROWS:-4}" 2>&1)" || { echo "$bench" >&2; exit 1; }
  echo "$bench" | grep -v '^Warning' >&2
  # the rate of the loop `tracelab train` runs on a GPU (batches sampled on worker threads); else the main thread's
  rate="$(sed -n 's/.*sampled on [0-9]* worker threads: \([0-9.]*\) steps\/s.*/\1/p' <<< "$bench")"
  [ -n "$rate" ] || rate="$(sed -n 's/.*with sampleBatch: \([0-9.]*\) steps\/s.*/\1/p' <<< "$bench")"
  rate="${rate%%$'\n'*}" # the first match
  [ -n "$rate" ] || { echo "stage.sh: could not read the training rate from bench-train's output" >&2; exit 1; }
  shown="$rate"
  if [ "$rate_scale" != 1 ]; then
    rate="$(awk -v r="$rate" -v f="$rate_scale" 'BEGIN { printf "%.4g", r * f }')"
    shown="$shown x $rate_scale = $rate"
  fi
  [ $(( seconds - ($(date +%s) - t0) )) -gt 10 ] || { echo "stage.sh: no time left after the benchmark" >&2; exit 1; }
  left=$(( seconds - ($(date +%s) - t0) - data_s ))
  # provisional (the run fits its steps once its data are rendered): at least 100
  steps=$(awk -v r="$rate" -v s="$left" 'BEGIN { n = int(r * s * 0.95 / 100) * 100; print (n > 100 ? n : 100) }')
  echo "stage.sh: ${shown} steps/s -> ${steps} steps in ${left}s (provisional: the run fits its steps to the time left once its data are rendered)" >&2
  fit=(--fit-rate "$rate")
fi
[ -f "$config" ] || STAGE_NAME="$name" STAGE_SPEC="$spec" STAGE_INIT="$init" STAGE_SEED="$seed" STAGE_LR="$lr" STAGE_RAMP="$ramp" \
STAGE_SCENES="$scenes" STAGE_FIRST="$first" STAGE_BATCH="$batch" STAGE_CROP="$crop" STAGE_STEPS="$steps" \
STAGE_SIZE="$size" STAGE_VAL_SCENES="$val_scenes" STAGE_VAL_SIZE="$val_size" STAGE_REF_SPP="$ref_spp" STAGE_TARGET_SPP="$target_spp" \
STAGE_EMA="$ema" STAGE_SEPARATE="$separate" "$RUN" node -e '
const e = process.env, steps = Number(e.STAGE_STEPS);
const cfg = {
  $comment: `Written by the training kit (stage.sh): ${steps} steps sized to a time budget.`,
  name: e.STAGE_NAME, spec: e.STAGE_SPEC, loss: "hdr", targets: "noisy", steps,
  batch: Number(e.STAGE_BATCH), crop: Number(e.STAGE_CROP), learningRate: Number(e.STAGE_LR), rampDown: Number(e.STAGE_RAMP),
  seed: Number(e.STAGE_SEED),
  data: { scenes: Number(e.STAGE_SCENES), firstScene: Number(e.STAGE_FIRST), size: Number(e.STAGE_SIZE), spp: [1, 2, 4, 8, 16, 32, 64], cleanSpp: 512, maxDepth: 8 },
  validation: { scenes: Number(e.STAGE_VAL_SCENES), size: Number(e.STAGE_VAL_SIZE), spp: [4, 8, 16, 64], referenceSpp: Number(e.STAGE_REF_SPP), every: Math.max(1, Math.ceil(steps / 4)) },
  checkpointEvery: 1000, logEvery: 25,
};
if (e.STAGE_INIT) cfg.init = e.STAGE_INIT;
if (e.STAGE_TARGET_SPP) cfg.data.targetSpp = Number(e.STAGE_TARGET_SPP);
if (e.STAGE_EMA) cfg.emaDecay = Number(e.STAGE_EMA);
if (e.STAGE_SEPARATE === "yes") cfg.data.separateEmission = true;
require("node:fs").writeFileSync(process.argv[1], JSON.stringify(cfg, null, 2) + "\n");
console.error(`stage.sh: wrote ${process.argv[1]}`);
' "$config"
run="$runs/$name"
remaining=$(( ${seconds:-100000} - ($(date +%s) - t0) ))
remaining=$(( remaining > 10 ? remaining : 10 ))
status=0
# a new stage sized by the benchmark fits its steps to what is left once its data are rendered (tracelab train
# --fit-seconds: the config is rewritten with them, so running this again resumes the same run)
[ ${#fit[@]} -gt 0 ] && fit+=(--fit-seconds "$remaining")
timeout --foreground --signal=INT "$remaining" "$RUN" tracelab train --config "$config" --out "$run" ${fit[@]+"${fit[@]}"} || status=$?
if [ "$status" = 124 ]; then
  # timeout's INT made `tracelab train` save a checkpoint (and the weights) at the step it had reached
  echo "stage.sh: the budget ran out before the last step (the data took longer than --data-seconds ${data_s}?): the weights are those of the step reached, before the end of the learning-rate ramp-down; run the same command to finish the stage" >&2
fi
if [ -n "$out" ]; then
  mkdir -p "$out"
  cp "$config" "$out/" 2>/dev/null || true
  cp "$run/log.json" "$out/$name.log.json" 2>/dev/null || true
  for w in "$run"/*.bin; do [ -f "$w" ] && cp "$w" "$out/$name.bin"; done
fi
exit "$status"
