import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The website widget: one framework-free script (an IIFE) that a company puts on its own site with
 * `<script src="https://polett.example/widget.js" data-assistant="…">`. Built after the web app
 * into the same dist/web, without emptying it.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: false,
    sourcemap: false,
    reportCompressedSize: false,
    target: 'es2020',
    lib: {
      entry: fileURLToPath(new URL('./widget.ts', import.meta.url)),
      name: 'PolettWidget',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
});
