// The built-in scenes, by the stable names the CLI and the app use.
import type { BuiltScene } from '../src/scene/built-scene.ts';
import { buildFurnaceDiffuse, buildFurnaceGlass, buildSphereInterior } from './analytic.ts';
import { buildBunnyField } from './bunny-field.ts';
import { buildCornellBox } from './cornell-box.ts';
import { buildGlassCaustics } from './glass-caustics.ts';
import { buildMaterialTest } from './material-test.ts';

export interface SceneEntry {
  name: string;
  description: string;
  /** Rough triangle count for listings, e.g. '36', '83k', '1.06M'. */
  triangles: string;
  build(): BuiltScene | Promise<BuiltScene>;
}

export const builtinScenes: readonly SceneEntry[] = [
  {
    name: 'cornell-box',
    description: 'The Cornell box with its published dimensions, diffuse walls and ceiling light',
    triangles: '36',
    build: buildCornellBox,
  },
  {
    name: 'material-test',
    description: 'Spheres across roughness 0..1: gold conductor, glass, plastic; area light and sky',
    triangles: '83k',
    build: buildMaterialTest,
  },
  {
    name: 'glass-caustics',
    description: 'Glass sphere and glass bunny on a diffuse floor under a small bright light (caustics)',
    triangles: '20k',
    build: buildGlassCaustics,
  },
  {
    name: 'bunny-field',
    description: '289 Stanford bunnies in mixed materials on a floor, sky and area light (large-scene test)',
    triangles: '1.06M',
    build: buildBunnyField,
  },
  {
    name: 'furnace-diffuse',
    description: 'White furnace: albedo-1 diffuse unit sphere in a white environment (radiance 1 everywhere)',
    triangles: '65k',
    build: buildFurnaceDiffuse,
  },
  {
    name: 'furnace-glass',
    description: 'White furnace: smooth glass (ior 1.5) unit sphere in a white environment (radiance 1 everywhere)',
    triangles: '65k',
    build: buildFurnaceGlass,
  },
  {
    name: 'sphere-interior',
    description: 'Camera inside a closed emitting sphere, albedo 0.5, Le 1 (radiance 2 everywhere)',
    triangles: '16k',
    build: buildSphereInterior,
  },
];

export const DEFAULT_SCENE = 'cornell-box';

export function findScene(name: string): SceneEntry | undefined {
  return builtinScenes.find((entry) => entry.name === name);
}
