import { defineConfig } from 'vite';

// The browser app (index.html -> src/app/main.ts). WGSL comes in through `?raw` imports, which Vite handles itself.
export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist',
    // three.js alone is ~700 kB minified; the app is one page, so one chunk is fine.
    chunkSizeWarningLimit: 2000,
  },
  // `bunny` is CommonJS: pre-bundle it for the dev server (the production build converts it on its own).
  optimizeDeps: { include: ['bunny'] },
});
