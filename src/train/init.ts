// Starting weights for a training run (a config's `init`): weights of the run's own spec, or of another built-in
// spec with exactly the same tensors (e.g. n2n-fast's weights to start n2n-fast-demod, which only changes what the
// network sees). Anything else is rejected by decodeWeights with the file named.
import { specHash, type NetworkSpec } from '../denoise/spec.ts';
import { BUILTIN_SPECS } from '../denoise/specs.ts';
import { decodeWeights, expectedTensors, weightsSpecHash, type NetworkWeights } from '../denoise/weights.ts';

export interface InitWeights {
  weights: NetworkWeights;
  /** The spec the file was made for (differs from the run's spec when transferred). */
  madeFor: string;
}

const tensorsKey = (spec: NetworkSpec): string => JSON.stringify(expectedTensors(spec));

export function decodeInitWeights(spec: NetworkSpec, bytes: Uint8Array, file: string): InitWeights {
  const hash = weightsSpecHash(bytes);
  if (hash !== null && hash !== specHash(spec)) {
    const donor = Object.values(BUILTIN_SPECS).find((s) => specHash(s) === hash && tensorsKey(s) === tensorsKey(spec));
    if (donor) return { weights: decodeWeights(donor, bytes, file), madeFor: donor.name };
  }
  return { weights: decodeWeights(spec, bytes, file), madeFor: spec.name };
}
