// `tracelab train --config denoiser/configs/<name>.json`: Noise2Noise training on WebGPU with the path tracer as
// the data source; progress bar, validation PSNR, checkpoints and resume.
import { readInputFile } from '../node/read-input.ts';
import { join } from 'node:path';
import { builtinSpec, type BuiltinSpecName } from '../denoise/specs.ts';
import type { NetworkWeights } from '../denoise/weights.ts';
import { decodeInitWeights } from '../train/init.ts';
import { createNodeGpuContext } from '../node/gpu.ts';
import { BatchPool, DEFAULT_BATCH_THREADS } from '../node/batch-pool.ts';
import { defaultSceneThreads, ScenePool } from '../node/scene-pool.ts';
import { DEFAULT_REFERENCE_CACHE } from '../node/reference-store.ts';
import { writeFileAtomic } from '../node/atomic-file.ts';
import { DirectoryRunStore } from '../node/train-files.ts';
import { ConfigError, parseTrainConfig, type TrainConfig } from '../train/config.ts';
import type { TrainingPair } from '../train/data.ts';
import { isStripRows, STRIP_ROWS, type StripRows } from '../train/kernels.ts';
import { runTraining, type DataTiming, type RunEvent } from '../train/run.ts';
import { intOption, numberOption, parse, UsageError } from './args.ts';
import { prepareDir } from './dirs.ts';
import { formatSeconds } from './progress.ts';
import { cachedValidationReferences } from './validation-references.ts';

/** A second signal within this many ms of the first is the same one delivered twice (see onSignal). */
const DUPLICATE_SIGNAL_MS = 1000;

/** Training pairs rendered at once on a hardware adapter (--pairs-in-flight). */
export const DEFAULT_PAIRS_IN_FLIGHT = 4;

export const TRAIN_USAGE = `usage: tracelab train --config FILE [options]
  Trains a denoiser from pairs of noisy renders of procedural scenes (Noise2Noise), validating on a fixed set of
  scenes never trained on. Writes <out>/<spec>.bin (weights, usable with --weights), <out>/log.json (losses and
  validation PSNR) and <out>/checkpoint.tlck. Run the same command again to resume from the last checkpoint.
  Ctrl-C (SIGINT) or SIGTERM once the steps have begun saves a checkpoint at the step reached, then exits (130 /
  143); while the training data is rendered, or on a second signal (a second or more after the first), it stops
  at once.
  --config FILE      training config (JSON; see denoiser/configs/)
  --out DIR          run directory (default denoiser/runs/<config name>)
  --session-steps N  stop after N steps in this session (resume later); default: train to the end
  --strip-rows 4|8   rows of pixels per invocation of the training conv kernels: speed only, the results agree
                     to float rounding (default 8 on a software adapter, 4 on a GPU; npm run bench:train compares)
  --data-threads N   worker threads building the training scenes while the GPU renders their pairs (speed only:
                     the pairs are the same); default ${defaultSceneThreads()} here (the cores less one, at most 8); 0: none
  --batch-threads N  worker threads sampling the next steps' batches while the main thread encodes the current
                     one (speed only: the batches are the same); default ${DEFAULT_BATCH_THREADS} on a GPU, 0 on a software
                     adapter (where the steps, not the sampling, take the time, and the cores run the adapter)
  --pairs-in-flight N
                     training pairs rendered at once, each with its own tracer, so that one's renders run while
                     another's wait or are prepared (speed only: the pairs are the same); default ${DEFAULT_PAIRS_IN_FLIGHT} on a
                     GPU, 1 on a software adapter (where the renders take the cores)
  --fit-seconds S --fit-rate R
                     a new run (no checkpoint yet) trains as many steps as fit S seconds from the start of this
                     command at R steps/s (93% of it), counted once its data are rendered: its config file is
                     rewritten with that step count (and its validation interval scaled), so a resume or rerun
                     is the same run. For time-boxed stages (the kit's stage.sh), where the data take an unknown
                     part of the time
  --cache DIR        reference cache for the validation references (default ${DEFAULT_REFERENCE_CACHE}, shared with
                     tracelab validate and reference): rendered once, so resuming does not render them again;
                     'none': render them in memory each session`;

function line(e: RunEvent, tty: boolean): string | null {
  switch (e.phase) {
    case 'data':
      return `rendering training pairs ${e.done + 1}/${e.total}`;
    case 'validation-data':
      return `rendering validation scenes ${e.done + 1}/${e.total}`;
    case 'data-done':
      return describeDataTiming(e.timing);
    case 'resized':
      return `fitted to the time left: ${e.steps} steps, validation every ${e.every} (written to the config)`;
    case 'train': {
      const loss = e.loss === null ? '?' : e.loss.toPrecision(4);
      const l = `step ${e.step}/${e.steps}  loss ${loss}  ${e.stepsPerSecond.toFixed(2)} steps/s  ETA ${formatSeconds(e.etaSeconds)}`;
      return tty || e.step % 100 === 0 || e.step === e.steps ? l : null;
    }
    case 'validate':
      return `validation at step ${e.step}: ` + e.scores.map((s) => `${s.spp} spp ${s.noisy.toFixed(2)} -> ${s.denoised.toFixed(2)} dB`).join(', ');
    case 'checkpoint':
      return `checkpoint at step ${e.step}`;
  }
}

/**
 * Steps that fit `seconds` at `rate` steps/s, 93% of it (validations and checkpoints take some of the time, and a
 * benchmark's rate was 5% above a real run's on the H200): whole hundreds from 1,000 on, at least 1.
 */
export function fittedSteps(rate: number, seconds: number): number {
  const n = Math.floor(rate * Math.max(0, seconds) * 0.93);
  return Math.max(1, n >= 1000 ? Math.floor(n / 100) * 100 : n);
}

/** One line: where the data time went (so a GPU session can see what bounds it). */
export function describeDataTiming(t: DataTiming): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const other = Math.max(0, t.pairsMs - t.sceneWaitMs - t.tracerMs - t.renderMs - t.readMs - t.prepareMs);
  const k = t.inFlight ?? 1;
  // with several pairs in flight the parts overlap: their sums are given, and no remainder
  return `training pairs: ${t.pairs} in ${s(t.pairsMs)} (${t.pairs ? (t.pairsMs / t.pairs).toFixed(1) : '0'} ms each` +
    `${k > 1 ? `, ${k} in flight; summed over the pairs` : ''}: waiting for scenes ${s(t.sceneWaitMs)}, ` +
    `tracers ${s(t.tracerMs)}, rendering ${s(t.renderMs)}, read-back ${s(t.readMs)}, preparation ${s(t.prepareMs)}${k > 1 ? '' : `, other ${s(other)}`}); ` +
    `validation scenes ${s(t.validationMs)}`;
}

/** Returns the exit status: 0, or the shell's status for the signal that stopped the steps (checkpoint saved). */
export async function trainCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, ['config', 'out', 'session-steps', 'strip-rows', 'data-threads', 'batch-threads', 'pairs-in-flight', 'fit-seconds', 'fit-rate', 'cache'], 0);
  if (positionals.length) throw new UsageError(`train takes no positional arguments (got '${positionals[0]}')`);
  if (!values.config) throw new UsageError('train needs --config FILE (see denoiser/configs/)');
  let text: string;
  try {
    text = await readInputFile(values.config, 'utf8');
  } catch (e) {
    throw new UsageError(`${values.config}: cannot read the config (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${values.config}: not valid JSON (${(e as Error).message})`);
  }
  const cfg = parseTrainConfig(json, values.config);
  const sessionSteps = values['session-steps'] !== undefined ? intOption('session-steps', values['session-steps'], 0, 1, 1e9) : undefined;
  let stripRows: StripRows | undefined;
  if (values['strip-rows'] !== undefined) {
    const r = Number(values['strip-rows']);
    if (!isStripRows(r)) throw new UsageError(`--strip-rows takes ${STRIP_ROWS.join(' or ')} (got '${values['strip-rows']}')`);
    stripRows = r;
  }
  const cacheDir = values.cache ?? DEFAULT_REFERENCE_CACHE;
  if (cacheDir.trim() === '') throw new UsageError(`--cache must name a directory (or 'none')`);
  const dataThreads = intOption('data-threads', values['data-threads'], defaultSceneThreads(), 0, 64);
  const batchThreadsOption = values['batch-threads'] !== undefined ? intOption('batch-threads', values['batch-threads'], 0, 0, 64) : undefined;
  const inFlightOption = values['pairs-in-flight'] !== undefined ? intOption('pairs-in-flight', values['pairs-in-flight'], 1, 1, 64) : undefined;
  if ((values['fit-seconds'] === undefined) !== (values['fit-rate'] === undefined)) throw new UsageError('--fit-seconds and --fit-rate go together');
  const fit = values['fit-seconds'] !== undefined
    ? { seconds: numberOption('fit-seconds', values['fit-seconds'], 0, 1, 1e7), rate: numberOption('fit-rate', values['fit-rate'], 0, 1e-6, 1e7) }
    : null;
  const started = performance.now();
  let initWeights: NetworkWeights | undefined;
  if (cfg.init !== undefined) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readInputFile(cfg.init));
    } catch (e) {
      throw new ConfigError(`${values.config}: 'init' weights ${cfg.init} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const init = decodeInitWeights(builtinSpec(cfg.spec as BuiltinSpecName), bytes, cfg.init);
    initWeights = init.weights;
    if (init.madeFor !== cfg.spec) process.stderr.write(`tracelab: note: starting ${cfg.spec} from weights made for ${init.madeFor} (same tensors)\n`);
  }
  const out = values.out ?? join('denoiser', 'runs', cfg.name);
  if (cacheDir !== 'none') await prepareDir(cacheDir, '--cache');
  await prepareDir(out, values.out !== undefined ? '--out' : 'the run directory');
  const store = new DirectoryRunStore(out, cfg.spec);
  await store.init();
  const gpu = await createNodeGpuContext();
  const tty = Boolean(process.stderr.isTTY);
  const pool = dataThreads > 0 ? new ScenePool(dataThreads) : null;
  const batchThreads = batchThreadsOption ?? (gpu.adapter.isFallback ? 0 : DEFAULT_BATCH_THREADS);
  const pairsInFlight = inFlightOption ?? (gpu.adapter.isFallback ? 1 : DEFAULT_PAIRS_IN_FLIGHT);
  // Ctrl-C (or SIGTERM) once the steps have begun: stop at the next step and save a checkpoint there, so an
  // interrupted session keeps every step it took (a time-limited job's last minutes too). Before that (the data
  // being rendered) and on a second signal: stop at once; the last checkpoint is kept (written, then renamed).
  const stop = new AbortController();
  let stepping = false;
  let interrupted: NodeJS.Signals | null = null;
  let interruptedAt = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    // `timeout` (without --foreground) signals the command and then its whole process group, so one timeout
    // delivers the signal twice at once: a repeat within DUPLICATE_SIGNAL_MS is that, not a second Ctrl-C (whose
    // "stop at once" a user asks for after seeing the first's message)
    if (interrupted === sig && performance.now() - interruptedAt < DUPLICATE_SIGNAL_MS) return;
    if (!stepping || interrupted) {
      process.stderr.write(`${tty ? '\r\x1b[K' : '\n'}tracelab: ${sig}: stopped${stepping ? '' : ' before the training steps began'}; the last checkpoint in ${out} is kept\n`);
      process.exit(signalExitCode(sig));
    }
    interrupted = sig;
    interruptedAt = performance.now();
    process.stderr.write(`${tty ? '\r\x1b[K' : '\n'}tracelab: ${sig}: saving a checkpoint at this step, then stopping (${sig} again, a second or more later: stop at once)\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    process.stderr.write(`training ${cfg.spec} (${cfg.targets} targets, ${cfg.loss} loss${cfg.data.separateEmission ? ', emission separated' : ''}) on ${gpu.adapter.name}` +
      `${stripRows ? `, conv strips of ${stripRows} rows` : ''}${batchThreads > 0 ? `, batches sampled on ${batchThreads} worker threads` : ''}; run directory ${out}\n`);
    const log = await runTraining(gpu, cfg, store, {
      maxStepsThisSession: sessionSteps,
      initWeights,
      stripRows,
      ...(cacheDir !== 'none' ? { validationReference: cachedValidationReferences(gpu, cacheDir) } : {}),
      ...(pool ? { compileScene: (seed: number) => pool.compile(seed), compileAhead: 2 * pool.threads } : {}),
      pairsInFlight,
      ...(fit ? {
        fitSteps: () => fittedSteps(fit.rate, fit.seconds - (performance.now() - started) / 1000),
        // the run is the config with the fitted steps: the file says so, and resuming or rerunning it reproduces the run
        onConfig: async (c: TrainConfig) => {
          const obj = { ...(json as Record<string, unknown>), steps: c.steps, validation: { ...((json as { validation: object }).validation), every: c.validation.every } };
          await writeFileAtomic(values.config!, JSON.stringify(obj, null, 2) + '\n');
        },
      } : {}),
      signal: stop.signal,
      ...(batchThreads > 0 ? {
        batchSource: (pairs: readonly TrainingPair[], c: TrainConfig, end: number) =>
          new BatchPool(batchThreads, { spec: c.spec as BuiltinSpecName, batch: c.batch, crop: c.crop, seed: c.seed, pairs }, end),
      } : {}),
      onEvent: (e) => {
        if (e.phase === 'train' || e.phase === 'validate' || e.phase === 'checkpoint') stepping = true;
        const l = line(e, tty);
        if (l === null) return;
        if (tty && (e.phase === 'train' || e.phase === 'data' || e.phase === 'validation-data')) process.stderr.write(`\r${l}\x1b[K`);
        else process.stderr.write(`${tty ? '\r\x1b[K' : ''}${l}\n`);
      },
    });
    const last = log.validation.at(-1);
    process.stdout.write(
      `${log.done ? 'done' : interrupted ? `stopped by ${interrupted}, checkpoint saved` : 'paused'}: step ${log.loss.at(-1)?.step ?? 0}/${log.config.steps}, ${formatSeconds(log.elapsedMs / 1000)} training, ` +
        `${log.stepsPerSecond.toFixed(2)} steps/s\n` +
        (last ? `validation PSNR: ${last.scores.map((s) => `${s.spp} spp ${s.noisy.toFixed(2)} -> ${s.denoised.toFixed(2)} dB`).join(', ')}\n` : '') +
        `weights: ${store.weightsPath}${cfg.emaDecay ? ` (the moving average of the weights, decay ${cfg.emaDecay}; validated as such)` : ''}\nlog: ${store.logPath}\n`,
    );
    return interrupted ? signalExitCode(interrupted) : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pool?.destroy();
    gpu.destroy();
  }
}

/** The shell's exit status for a process ended by `sig` (128 + its number). */
function signalExitCode(sig: NodeJS.Signals): number {
  return sig === 'SIGINT' ? 130 : 143;
}
