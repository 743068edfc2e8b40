import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * The web app is built into dist/web, next to the compiled server, so that `npm start` serves it
 * with no second server. `npm run dev:web` proxies the API to a running Polett for development.
 */
export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // No source maps and no compressed-size report: the build runs on every `npm install`.
    sourcemap: false,
    reportCompressedSize: false,
    target: 'es2022',
  },
  server: {
    proxy: Object.fromEntries(
      ['/api', '/v1', '/health', '/openapi.json', '/docs'].map((prefix) => [
        prefix,
        process.env.POLETT_URL ?? 'http://127.0.0.1:8787',
      ]),
    ),
  },
});
