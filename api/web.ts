/**
 * The web app (web/, built by `npm run build:web` into web/dist) served at
 * `/`: hashed assets cached for good, and every other non-API GET answered
 * with index.html so the app's own routes (/tasks/…, /join?union=…) load on
 * a reload or from a QR code. Without a build, nothing is served here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

const ASSET = /\.(?:js|mjs|css|map|png|jpe?g|gif|svg|ico|webp|json|txt|woff2?|ttf|webmanifest)$/i;

export const WEB_DIST = fileURLToPath(new URL('../web/dist/', import.meta.url));

export function webApp(dist: string = WEB_DIST): Router {
  const router = express.Router();
  const index = path.join(dist, 'index.html');
  router.use(
    express.static(dist, {
      index: false,
      setHeaders(res, file) {
        res.setHeader('X-Content-Type-Options', 'nosniff');
        if (file.includes(`${path.sep}assets${path.sep}`)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === '/api' || req.path.startsWith('/api/')) return next();
    // A missing file (a stale /assets/x.js) stays a 404 rather than turning into HTML.
    if (ASSET.test(req.path)) return next();
    if (!fs.existsSync(index)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(index);
  });
  return router;
}
