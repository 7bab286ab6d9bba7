/**
 * The web app (web/, built by `npm run build:web` into web/dist) served at
 * `/`: hashed assets cached for good, and every other non-API GET answered
 * with the HTML page of its entry so the app's own routes (/tasks/…,
 * /join?union=…) load on a reload or from a QR code: /join… the public join
 * pages (public.html), /member-card… the member card (member-card.html),
 * everything else the staff app (index.html) — see web/src/entries.ts.
 * Without a build, nothing is served here.
 *
 * Hashed assets are sent in the form the build compressed them to (.br,
 * else .gz, by the browser's Accept-Encoding; web/vite.config.ts writes
 * them), with `Vary: Accept-Encoding`; the HTML pages are small and are
 * compressed by the app's compression middleware.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import { ENTRY_HTML, pageEntry } from '../web/src/entries';

const ASSET = /\.(?:js|mjs|css|map|png|jpe?g|gif|svg|ico|webp|json|txt|woff2?|ttf|webmanifest)$/i;
const IMMUTABLE = 'public, max-age=31536000, immutable';

export const WEB_DIST = fileURLToPath(new URL('../web/dist/', import.meta.url));

/** The build's compressed forms, best first. */
const ENCODINGS = [
  { name: 'br', ext: '.br' },
  { name: 'gzip', ext: '.gz' },
] as const;

export function webApp(dist: string = WEB_DIST): Router {
  const router = express.Router();
  const assets = path.join(dist, 'assets');

  // A hashed asset in its compressed form where the browser takes one and the build wrote one.
  router.use('/assets', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = path.basename(req.path);
    if (!ASSET.test(name) || name !== req.path.slice(1)) return next();
    res.vary('Accept-Encoding');
    const encoding = ENCODINGS.find((e) => req.acceptsEncodings(e.name) === e.name && fs.existsSync(path.join(assets, name + e.ext)));
    if (!encoding) return next();
    res.setHeader('Content-Encoding', encoding.name);
    res.setHeader('Cache-Control', IMMUTABLE);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type(path.extname(name));
    res.sendFile(path.join(assets, name + encoding.ext), { cacheControl: false }, (err) => {
      if (err && !res.headersSent) next(err);
    });
  });

  router.use(
    express.static(dist, {
      index: false,
      setHeaders(res, file) {
        res.setHeader('X-Content-Type-Options', 'nosniff');
        if (file.includes(`${path.sep}assets${path.sep}`)) res.setHeader('Cache-Control', IMMUTABLE);
      },
    }),
  );
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === '/api' || req.path.startsWith('/api/')) return next();
    // A missing file (a stale /assets/x.js) stays a 404 rather than turning into HTML.
    if (ASSET.test(req.path)) return next();
    const page = path.join(dist, ENTRY_HTML[pageEntry(req.path)]);
    if (!fs.existsSync(page)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(page);
  });
  return router;
}
