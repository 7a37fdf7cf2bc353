// The shipped network specs (denoiser/specs/*.json), bundled so that the browser and Node find them alike.
import fastDemodJson from '../../denoiser/specs/n2n-fast-demod.json' with { type: 'json' };
import fastJson from '../../denoiser/specs/n2n-fast.json' with { type: 'json' };
import paperDemodJson from '../../denoiser/specs/n2n-paper-demod.json' with { type: 'json' };
import paperJson from '../../denoiser/specs/n2n-paper.json' with { type: 'json' };
import { parseSpec, SpecError, type NetworkSpec } from './spec.ts';

export const BUILTIN_SPECS = {
  'n2n-paper': parseSpec(paperJson, 'denoiser/specs/n2n-paper.json'),
  'n2n-fast': parseSpec(fastJson, 'denoiser/specs/n2n-fast.json'),
  'n2n-fast-demod': parseSpec(fastDemodJson, 'denoiser/specs/n2n-fast-demod.json'),
  'n2n-paper-demod': parseSpec(paperDemodJson, 'denoiser/specs/n2n-paper-demod.json'),
} as const satisfies Record<string, NetworkSpec>;

export type BuiltinSpecName = keyof typeof BUILTIN_SPECS;

/** A shipped spec by name; throws a SpecError listing the names otherwise. */
export function builtinSpec(name: string): NetworkSpec {
  const spec = (BUILTIN_SPECS as Record<string, NetworkSpec>)[name];
  if (!spec) throw new SpecError(name, `no built-in network of that name (available: ${Object.keys(BUILTIN_SPECS).join(', ')})`);
  return spec;
}
