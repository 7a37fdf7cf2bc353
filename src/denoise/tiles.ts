// Overlapping tiles for images too large to denoise in one go (texture size or memory limits).
//
// Every tile is processed as an image of its own and only its core (the tile minus a margin on each side that is
// not an image edge) is kept. Tile origins are multiples of 2^levels, so the pooling grid is the same as for the
// whole image, and the margin is at least the network's receptive-field radius: a core pixel then depends on
// exactly the same input pixels, in the same arithmetic, as without tiling: the seams are invisible (bitwise).
// All tiles of an image pad to the same size, so one set of tensors serves them all.
import { convLayers, levelsOf, sizeMultiple, type NetworkSpec } from './spec.ts';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Tile {
  /** The input region processed. */
  rect: Rect;
  /** The part of the output it provides (inside `rect`). */
  core: Rect;
}

/**
 * Radius, in full-resolution pixels, of the input region that can influence one output pixel: each 3x3 conv at
 * level l reaches 2^l pixels further, and each nearest upsampling from level l+1 up to 2^(l+1) (alignment);
 * pooling adds nothing on an aligned grid.
 */
export function receptiveRadius(spec: NetworkSpec): number {
  let r = 0;
  for (const c of convLayers(spec)) r += 2 ** c.level;
  for (let l = 0; l < levelsOf(spec); l++) r += 2 ** (l + 1);
  return r;
}

/** The default margin: the receptive radius rounded up to a multiple of 2^levels. */
export function defaultMargin(spec: NetworkSpec): number {
  const m = sizeMultiple(spec);
  return Math.ceil(receptiveRadius(spec) / m) * m;
}

interface Span {
  origin: number;
  length: number;
  coreStart: number;
  coreEnd: number;
}

/** 1D split of [0, n) into tiles of `size` with cores of size - 2 margin (see the file comment). */
function spans(n: number, size: number, margin: number, multiple: number): Span[] {
  if (n <= size) return [{ origin: 0, length: n, coreStart: 0, coreEnd: n }];
  const core = size - 2 * margin;
  const lastOrigin = Math.ceil((n - size) / multiple) * multiple;
  const out: Span[] = [];
  for (let i = 0, start = 0; start < n; i++) {
    const origin = Math.min(i * core, lastOrigin);
    const length = Math.min(size, n - origin);
    // a tile that reaches the image's end keeps everything up to it (no margin needed at an image edge)
    const end = origin + length === n ? n : (i + 1) * core + margin;
    out.push({ origin, length, coreStart: start, coreEnd: end });
    start = end;
  }
  return out;
}

/**
 * Tiles covering a width x height image whose cores partition it. `size` (tile side, including margins) and
 * `margin` must be multiples of `multiple`, with size > 2 margin.
 */
export function planTiles(width: number, height: number, size: number, margin: number, multiple: number): Tile[] {
  if (size % multiple || margin % multiple || size <= 2 * margin) {
    throw new RangeError(`tiles: size ${size} and margin ${margin} must be multiples of ${multiple} with size > 2 * margin`);
  }
  const xs = spans(width, size, margin, multiple);
  const ys = spans(height, size, margin, multiple);
  const tiles: Tile[] = [];
  for (const sy of ys) {
    for (const sx of xs) {
      tiles.push({
        rect: { x: sx.origin, y: sy.origin, width: sx.length, height: sy.length },
        core: { x: sx.coreStart, y: sy.coreStart, width: sx.coreEnd - sx.coreStart, height: sy.coreEnd - sy.coreStart },
      });
    }
  }
  return tiles;
}
