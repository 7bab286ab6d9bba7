/**
 * The web app's build: root web/, output web/dist (served by the API at /).
 * `npm run build:web` type-checks (web/tsconfig.json) and builds;
 * `npx vite --config web/vite.config.ts` serves it in development with /api
 * proxied to a running API (npm start) on port 3000.
 *
 * Three pages, built from one code base:
 * - index.html (src/main.tsx): the staff app — antd, ECharts, the inbox …;
 * - public.html (src/public-main.tsx): the public join pages /join and
 *   /join/status, React alone (no antd) with src/public/public.css;
 * - member-card.html (src/member-card-main.tsx): the electronic member card
 *   and its verify page, React alone (no antd).
 * The public pages are built on their own (a second build, see
 * buildPublicPages), so they share no chunk with the staff app.
 * The API (api/web.ts) answers /join* with public.html, /member-card* with
 * member-card.html and every other page path with index.html.
 *
 * Every hashed asset is also written compressed, once, at build time: .br
 * (brotli at its best quality, 11 — too slow to do per request, and some 15 %
 * smaller than gzip) and .gz (gzip -9), which the API sends to browsers that
 * accept them; a phone on 3G downloads the smallest form without the server
 * spending CPU on it per request.
 *
 * The build writes to a staging folder and swaps it into web/dist when done,
 * so a running server never finds web/dist empty or half-written while the
 * app is rebuilt (npm start and npm test both build first).
 */
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build, defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { ENTRY_HTML, pageEntry } from './src/entries';

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

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const COMPRESSIBLE = /\.(?:js|mjs|css|svg|json|txt|map)$/;

/** Writes NAME.br and NAME.gz beside each compressible hashed asset of 1 KB or more. */
function precompress(): Plugin {
  return {
    name: 'precompress-assets',
    apply: 'build',
    async writeBundle(options, bundle) {
      const outDir = options.dir ?? staging;
      await Promise.all(
        Object.keys(bundle)
          .filter((name) => name.startsWith('assets/') && COMPRESSIBLE.test(name))
          .map(async (name) => {
            const file = path.join(outDir, name);
            const data = await fs.promises.readFile(file);
            if (data.length < 1024) return;
            const [br, gz] = await Promise.all([
              brotli(data, {
                params: {
                  [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
                  [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
                },
              }),
              gzip(data, { level: 9 }),
            ]);
            await Promise.all([fs.promises.writeFile(`${file}.br`, br), fs.promises.writeFile(`${file}.gz`, gz)]);
          }),
      );
    },
  };
}

/** `vite` in development: the public pages' paths get their own HTML entry, as api/web.ts does. */
function entryPages(): Plugin {
  return {
    name: 'entry-pages',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const [pathname, search = ''] = (req.url ?? '/').split('?');
        const entry = pageEntry(pathname ?? '/');
        if (entry !== 'index' && !/\.\w+$/.test(pathname ?? '')) req.url = `/${ENTRY_HTML[entry]}${search ? `?${search}` : ''}`;
        next();
      });
    },
  };
}

/**
 * The public pages are a second build into the same staging folder, run when
 * the staff app's build has written its files and before the swap: a graph
 * of their own, so no chunk they load is shared with (and carries modules
 * of) the staff app.
 */
function buildPublicPages(): Plugin {
  return {
    name: 'build-public-pages',
    apply: 'build',
    async closeBundle() {
      if (!fs.existsSync(`${staging}/index.html`) || process.env.UD_PUBLIC_BUILD) return;
      process.env.UD_PUBLIC_BUILD = '1';
      try {
        await build({
          configFile: false,
          root,
          base: '/',
          logLevel: 'warn',
          plugins: [react(), precompress()],
          build: {
            outDir: staging,
            emptyOutDir: false,
            sourcemap: false,
            // The public pages are React and a few KB of their own (React itself is the ~190 KB chunk): warn should they grow.
            chunkSizeWarningLimit: 250,
            rollupOptions: {
              input: {
                public: path.join(root, ENTRY_HTML.public),
                'member-card': path.join(root, ENTRY_HTML['member-card']),
              },
            },
          },
        });
      } finally {
        delete process.env.UD_PUBLIC_BUILD;
      }
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  // Order matters at the end of the build: the public pages are built into the staging folder, then it is swapped in.
  plugins: [react(), entryPages(), precompress(), buildPublicPages(), swapIntoPlace()],
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
