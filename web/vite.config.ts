/**
 * The web app's build: root web/, output web/dist (served by the API at /).
 * `npm run build:web` type-checks (web/tsconfig.json) and builds;
 * `npx vite --config web/vite.config.ts` serves it in development with /api
 * proxied to a running API (npm start) on port 3000.
 *
 * The build writes to a staging folder and swaps it into web/dist when done,
 * so a running server never finds web/dist empty or half-written while the
 * app is rebuilt (npm start and npm test both build first).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));
const dist = fileURLToPath(new URL('./dist', import.meta.url));
const staging = `${dist}.staging-${process.pid}`;

function swapIntoPlace(): Plugin {
  return {
    name: 'swap-dist-into-place',
    apply: 'build',
    closeBundle() {
      if (!fs.existsSync(`${staging}/index.html`)) return;
      const old = `${dist}.old-${process.pid}`;
      for (let attempt = 0; ; attempt++) {
        try {
          if (fs.existsSync(dist)) fs.renameSync(dist, old);
        } catch (e) {
          // Another build moved it away first.
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
        try {
          fs.renameSync(staging, dist);
          break;
        } catch (e) {
          // Another build put its output in place in between: move that aside too, once.
          if (attempt > 2 || !['ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
        }
      }
      fs.rmSync(old, { recursive: true, force: true });
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), swapIntoPlace()],
  build: {
    outDir: staging,
    emptyOutDir: true,
    // antd and echarts are large; the pages load them in their own chunks.
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
