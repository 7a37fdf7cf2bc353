// WGSL sources are imported as text (Vite's `?raw`; in plain Node, bin/wgsl-hooks.js does the same).
declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}
