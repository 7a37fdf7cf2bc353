// Starting weights for a training run (a config's `init`): weights of the run's own spec, or of another built-in
// spec with exactly the same tensors (e.g. n2n-fast's weights to start n2n-fast-demod, which only changes what the
// network sees). Anything else is rejected by decodeWeights with the file named.
import { specHash, type NetworkSpec } from '../denoise/spec.ts';
import { BUILTIN_SPECS } from '../denoise/specs.ts';
import { decodeWeights, expectedTensors, type NetworkWeights } from '../denoise/weights.ts';

export interface InitWeights {
  weights: NetworkWeights;
  /** The spec the file was made for (differs from the run's spec when transferred). */
  madeFor: string;
}

const tensorsKey = (spec: NetworkSpec): string => JSON.stringify(expectedTensors(spec));

export function decodeInitWeights(spec: NetworkSpec, bytes: Uint8Array, file: string): InitWeights {
  const hash = bytes.byteLength >= 16 ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(8, true).toString(16).padStart(16, '0') : '';
  const donor = Object.values(BUILTIN_SPECS).find((s) => s.name !== spec.name && specHash(s) === hash && tensorsKey(s) === tensorsKey(spec));
  if (donor && specHash(spec) !== hash) return { weights: decodeWeights(donor, bytes, file), madeFor: donor.name };
  return { weights: decodeWeights(spec, bytes, file), madeFor: spec.name };
}
