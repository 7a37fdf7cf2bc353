// WGSL sources are imported as text (Vite's `?raw`; in plain Node, bin/wgsl-hooks.js does the same).
declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}

// oidn-web's bundled ESM build (its lib/ build uses extensionless imports that plain Node cannot resolve): the same
// exports as the package's typed entry.
declare module 'oidn-web/dist/oidn.js' {
  export * from 'oidn-web';
}
