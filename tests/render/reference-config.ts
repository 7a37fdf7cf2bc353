// Settings of the stored Cornell box reference (tests/fixtures/cornell-64-*.exr).
export const CORNELL_REFERENCE = { size: 64, maxDepth: 5, seed: 424242, spp: 8192 } as const;
