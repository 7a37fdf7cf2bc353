// A/B benchmark of BVH traversal variants inside the megakernel: the integrator is composed from
// integratorSource()'s modules with shaders/pathtrace/bvh.wgsl swapped for each variant, all variants are
// timed in one process in interleaved rounds (the order rotates per round), and medians are reported with
// the load average. Two rates: pixel samples per wall second, and per CPU second of this process (all
// threads, the driver's included), which moves much less when other processes share the machine.
// Run: node bin/run-ts.js bench/traversal.ts [--rounds N] [--seconds S] [--configs cornell256,cornell512,bunny512]
//        [--spin] [variant.wgsl ...]
// Default variants: bench/traversal/stack64.wgsl (the previous binary traversal) vs shaders/pathtrace/bvh.wgsl.
// --spin awaits each dispatch at once, as PathTracer does, instead of sleeping through most of it first.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename } from 'node:path';
import { findScene } from '../scenes/index.ts';
import type { GpuContext } from '../src/gpu/context.ts';
import { createNodeGpuContext } from '../src/node/gpu.ts';
import { EstimatorMode, PARAMS_LAYOUT } from '../src/render/layout.ts';
import { firstHitBuffer, frameBindGroup, frameBindGroupLayout, packParams } from '../src/render/path-tracer.ts';
import { SceneBuffers } from '../src/render/scene-buffers.ts';
import { pathtraceModules as m } from '../src/render/shaders.ts';
import { compileScene, type CompiledScene } from '../src/scene/compile.ts';

interface TraversalVariant {
  name: string;
  /**
   * WGSL that replaces shaders/pathtrace/bvh.wgsl. If it declares its own `struct BvhNode`, the one in
   * structs.wgsl is left out; a `@bench-layout binary|wide4` tag picks the node data it reads (default: what
   * SceneBuffers uploads).
   */
  bvh: string;
}

/** The scene as a variant reads it: the binary nodes in place of the 4-wide records for `binary`. */
function withLayout(scene: CompiledScene, layout: string | undefined): CompiledScene {
  if (layout === undefined || layout === 'wide4') return scene;
  if (layout !== 'binary') throw new Error(`bench/traversal: unknown @bench-layout '${layout}' (binary or wide4)`);
  return { ...scene, bvh: { ...scene.bvh, wide: { records: scene.bvh.nodes, recordCount: scene.bvh.nodeCount } } };
}

interface Config {
  key: string;
  scene: string;
  width: number;
  height: number;
  maxDepth: number;
}

const CONFIGS: Config[] = [
  { key: 'cornell256', scene: 'cornell-box', width: 256, height: 256, maxDepth: 8 },
  { key: 'cornell512', scene: 'cornell-box', width: 512, height: 512, maxDepth: 8 },
  { key: 'bunny512', scene: 'bunny-field', width: 512, height: 512, maxDepth: 8 },
];

function integratorWith(bvh: string): string {
  const structs = /struct BvhNode\s*\{/.test(bvh) ? m.structs.replace(/struct BvhNode\s*\{[^}]*\}/, '') : m.structs;
  return [m.common, structs, m.params, m.sceneBindings, bvh, m.sampling, m.microfacet, m.bsdf, m.lights, m.path, m.integrator].join('\n');
}

const layoutOf = (v: TraversalVariant): string | undefined => /@bench-layout (\w+)/.exec(v.bvh)?.[1];

/** One variant's pipeline plus the film it renders into, for one scene and image size. */
class Runner {
  private spp = 0;
  /** Shortest dispatch seen, seconds: the next one sleeps through 80% of it (see WAIT), so it converges down. */
  private minSeconds = Infinity;
  private constructor(
    private readonly gpu: GpuContext,
    private readonly scene: CompiledScene,
    private readonly config: Config,
    private readonly pipeline: GPUComputePipeline,
    private readonly groups: GPUBindGroup[],
    private readonly owned: GPUBuffer[],
    private readonly sceneBuffers: SceneBuffers,
  ) {}

  static async create(gpu: GpuContext, scene: CompiledScene, config: Config, v: TraversalVariant): Promise<Runner> {
    const sceneLayout = SceneBuffers.layout(gpu);
    const sceneBuffers = new SceneBuffers(gpu, withLayout(scene, layoutOf(v)));
    const sceneGroup = sceneBuffers.bindGroup(gpu, sceneLayout, `traversal bench ${v.name}: scene`);
    const filmLayout = frameBindGroupLayout(gpu, `traversal bench ${v.name}: film layout`);
    const layout = gpu.device.createPipelineLayout({ label: `traversal bench ${v.name}: layout`, bindGroupLayouts: [sceneLayout, filmLayout] });
    const pipeline = await gpu.computePipeline(`traversal bench ${v.name}`, integratorWith(v.bvh), undefined, layout);
    const { width, height } = config;
    const params = gpu.device.createBuffer({ label: `traversal bench ${v.name}: params`, size: PARAMS_LAYOUT.size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const film = gpu.device.createBuffer({ label: `traversal bench ${v.name}: film`, size: width * height * 64, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const firstHit = firstHitBuffer(gpu, 0, `traversal bench ${v.name}: first-hit placeholder`);
    const filmGroup = frameBindGroup(gpu, filmLayout, `traversal bench ${v.name}: film bindings`, { params, film, firstHit });
    return new Runner(gpu, scene, config, pipeline, [sceneGroup, filmGroup], [params, film, firstHit], sceneBuffers);
  }

  /** Renders `spp` more samples per pixel, one dispatch each; returns wall and CPU (all threads) seconds. */
  async time(spp: number, warmUp = false): Promise<{ wall: number; cpu: number }> {
    const { width, height, maxDepth } = this.config;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let s = 0; s < spp; s++) {
      const params = packParams(this.scene, { maxDepth, mode: EstimatorMode.MIS, clamp: 0, rrDepth: 3 }, { width, height, sampleStart: this.spp, sampleCount: 1, seed: 1 });
      this.gpu.device.queue.writeBuffer(this.owned[0], 0, params);
      const enc = this.gpu.device.createCommandEncoder({ label: 'traversal bench pass' });
      const pass = enc.beginComputePass({ label: 'traversal bench' });
      pass.setPipeline(this.pipeline);
      this.groups.forEach((g, i) => pass.setBindGroup(i, g));
      pass.dispatchWorkgroups(Math.ceil(width / 8), Math.ceil(height / 8));
      pass.end();
      const d0 = performance.now();
      this.gpu.device.queue.submit([enc.finish()]);
      // dawn.node ticks the device with setImmediate while a promise is pending, so awaiting at once keeps
      // this thread spinning on a core the driver's threads could use; 'sleep' waits most of it on a timer.
      if (WAIT === 'sleep' && !warmUp && this.minSeconds > 0.004) await new Promise((r) => setTimeout(r, this.minSeconds * 800));
      await this.gpu.device.queue.onSubmittedWorkDone();
      // The first dispatch compiles the shader (lazily, in the driver): it does not count.
      if (this.spp > 0) this.minSeconds = Math.min(this.minSeconds, (performance.now() - d0) / 1000);
      this.spp++;
    }
    const c = process.cpuUsage(c0);
    return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
  }

  /** Mean radiance over the film (a cheap check that variants render the same image). */
  async meanRadiance(): Promise<number> {
    const raw = new Float32Array(await this.gpu.readBuffer(this.owned[1]));
    const n = this.config.width * this.config.height;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += raw[i * 4] + raw[i * 4 + 1] + raw[i * 4 + 2];
    return sum / (3 * n * Math.max(1, this.spp));
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
    this.sceneBuffers.destroy();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const WAIT = process.argv.includes('--spin') ? 'spin' : 'sleep';
const fmt = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(3)}M` : `${(v / 1e3).toFixed(0)}k`);

interface TraversalBenchOptions {
  rounds: number;
  /** Target seconds per timed run. */
  seconds: number;
  configs: string[];
}

async function runTraversalBench(gpu: GpuContext, variants: TraversalVariant[], o: TraversalBenchOptions): Promise<void> {
  const scenes = new Map<string, CompiledScene>();
  for (const config of CONFIGS.filter((c) => o.configs.includes(c.key))) {
    let scene = scenes.get(config.scene);
    if (!scene) {
      scene = compileScene(await findScene(config.scene)!.build(), { name: config.scene });
      scenes.set(config.scene, scene);
    }
    const runners: Runner[] = [];
    try {
      for (const v of variants) runners.push(await Runner.create(gpu, scene, config, v));
      // Warm-up (first-touch, lazy compilation), then size the timed runs from the first variant.
      let t1 = 0;
      for (const r of runners) await r.time(1, true);
      for (const r of runners) t1 = Math.max(t1, (await r.time(1, true)).wall);
      const spp = Math.max(1, Math.round(o.seconds / t1));
      const rates: number[][] = variants.map(() => []);
      const cpuRates: number[][] = variants.map(() => []);
      const loads: number[] = [];
      for (let round = 0; round < o.rounds; round++) {
        for (let k = 0; k < runners.length; k++) {
          const i = (k + round) % runners.length;
          const s = await runners[i].time(spp);
          rates[i].push((spp * config.width * config.height) / s.wall);
          cpuRates[i].push((spp * config.width * config.height) / s.cpu);
        }
        loads.push(loadavg()[0]);
      }
      console.log(`\n${config.scene} ${config.width}x${config.height} max depth ${config.maxDepth}: ${o.rounds} rounds x ${spp} spp, load avg ${Math.min(...loads).toFixed(1)}..${Math.max(...loads).toFixed(1)}`);
      const base = median(rates[0]);
      const cpuBase = median(cpuRates[0]);
      for (const [i, v] of variants.entries()) {
        const med = median(rates[i]);
        const cpuMed = median(cpuRates[i]);
        const mean = await runners[i].meanRadiance();
        console.log(
          `  ${v.name.padEnd(22)} ${fmt(med).padStart(8)} samples/s x${(med / base).toFixed(3)} | ` +
            `${fmt(cpuMed).padStart(8)} per CPU-s x${(cpuMed / cpuBase).toFixed(3)} | wall [${rates[i].map(fmt).join(' ')}] mean L ${mean.toFixed(5)}`,
        );
      }
    } finally {
      for (const r of runners) r.destroy();
    }
  }
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const VALUE_FLAGS = ['--rounds', '--seconds', '--configs'];
const files = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !VALUE_FLAGS.includes(all[i - 1]));
const variants: TraversalVariant[] = files.length
  ? files.map((f) => ({ name: basename(f, '.wgsl'), bvh: readFileSync(f, 'utf8') }))
  : [
      { name: 'stack64 (previous)', bvh: readFileSync(new URL('./traversal/stack64.wgsl', import.meta.url), 'utf8') },
      { name: 'bvh.wgsl (current)', bvh: m.bvh },
    ];
const gpu = await createNodeGpuContext();
try {
  console.log(`adapter: ${gpu.adapter.name}`);
  await runTraversalBench(gpu, variants, {
    rounds: Number(arg('--rounds', '5')),
    seconds: Number(arg('--seconds', '1.5')),
    configs: arg('--configs', 'cornell256,cornell512,bunny512').split(','),
  });
} finally {
  gpu.destroy();
}
