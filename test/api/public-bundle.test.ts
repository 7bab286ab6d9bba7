/**
 * The public pages are fast on a phone: /join… and /member-card… get their
 * own HTML entries, whose JavaScript carries nothing of the staff app (no
 * charts, inbox or app frame), and every hashed asset is sent compressed —
 * brotli or gzip as the browser accepts, written once at build time — and
 * cached for good. Needs the web build (`npm run build:web`; npm test
 * builds first).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../api/web';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  for (const page of ['index.html', 'public.html', 'member-card.html'])
    if (!fs.existsSync(path.join(WEB_DIST, page))) throw new Error(`web/dist/${page} is missing: run \`npm run build:web\` first (npm test does)`);
  h = await startHarness({ withWorker: false });
});
afterAll(async () => {
  await h?.close();
});

/** A GET over plain node:http: the body as sent (still compressed), and the headers. */
function raw(pathname: string, acceptEncoding?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${h.url}${pathname}`, { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** The assets an HTML page loads up front (script, module preloads, styles). */
function assetsOf(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
}

/** Every JavaScript file a page can load: its scripts and, transitively, what they import (statically or on demand). */
function scriptGraph(html: string): string[] {
  const seen = new Set<string>();
  const queue = assetsOf(html)
    .filter((a) => a.endsWith('.js'))
    .map((a) => path.basename(a));
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const text = fs.readFileSync(path.join(WEB_DIST, 'assets', name), 'utf8');
    for (const m of text.matchAll(/(?:\.\/|assets\/)([\w-]+\.js)\b/g)) if (!seen.has(m[1]!)) queue.push(m[1]!);
  }
  return [...seen];
}

/** Strings only the staff app's code holds: the app frame's signed-in user, the inbox's API, the charts library. */
const STAFF_MARKERS = ['current-user', '/api/tasks', 'echarts'];

describe('the public pages (扫码入会, 电子会员卡) load fast', () => {
  it('each path gets its entry: /join… the public page, /member-card… the card page, everything else the staff app', async () => {
    const page = async (p: string) => {
      const r = await raw(p);
      expect(r.status, p).toBe(200);
      expect(r.headers['content-type'], p).toContain('text/html');
      expect(r.headers['cache-control'], p).toBe('no-cache');
      return r.body.toString('utf8');
    };
    const publicHtml = fs.readFileSync(path.join(WEB_DIST, 'public.html'), 'utf8');
    const cardHtml = fs.readFileSync(path.join(WEB_DIST, 'member-card.html'), 'utf8');
    const staffHtml = fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');
    expect(await page('/join?union=pds-xinhua-express')).toBe(publicHtml);
    expect(await page('/join/status?id=x')).toBe(publicHtml);
    expect(await page('/member-card/0123456789abcdef0123456789abcdef')).toBe(cardHtml);
    expect(await page('/member-card/0123456789abcdef0123456789abcdef/verify')).toBe(cardHtml);
    for (const p of ['/', '/tasks', '/joiners', '/member-cards-report']) expect(await page(p)).toBe(staffHtml);
  });

  it('the public entries’ JavaScript does not include the staff app', () => {
    const staff = scriptGraph(fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8'));
    const staffText = staff.map((f) => fs.readFileSync(path.join(WEB_DIST, 'assets', f), 'utf8')).join('\n');
    // The markers are real: the staff app holds each of them.
    for (const marker of STAFF_MARKERS) expect(staffText, marker).toContain(marker);
    for (const entry of ['public.html', 'member-card.html']) {
      const files = scriptGraph(fs.readFileSync(path.join(WEB_DIST, entry), 'utf8'));
      expect(files.length, entry).toBeGreaterThan(0);
      for (const f of files) {
        const text = fs.readFileSync(path.join(WEB_DIST, 'assets', f), 'utf8');
        for (const marker of STAFF_MARKERS) expect(text.includes(marker), `${entry}: ${f} contains ${marker}`).toBe(false);
      }
    }
    // The member card needs no antd at all (its CSS-in-JS runtime names its styles "ant-…").
    const card = scriptGraph(fs.readFileSync(path.join(WEB_DIST, 'member-card.html'), 'utf8'));
    for (const f of card) expect(fs.readFileSync(path.join(WEB_DIST, 'assets', f), 'utf8'), f).not.toContain('ant-btn');
  });

  it('the public page’s assets are sent compressed as the browser accepts (br, else gzip), cached for good, and the same as the file', async () => {
    const html = (await raw('/join')).body.toString('utf8');
    const assets = assetsOf(html);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    for (const asset of assets) {
      const file = fs.readFileSync(path.join(WEB_DIST, asset));
      if (file.length < 1024) continue; // too small to be worth compressing
      const br = await raw(asset, 'gzip, deflate, br, zstd');
      expect(br.status, asset).toBe(200);
      expect(br.headers['content-encoding'], asset).toBe('br');
      expect(br.headers.vary, asset).toMatch(/accept-encoding/i);
      expect(br.headers['cache-control'], asset).toBe('public, max-age=31536000, immutable');
      expect(br.headers['content-type'], asset).toMatch(asset.endsWith('.js') ? /javascript/ : /css/);
      expect(br.body.length, asset).toBeLessThan(file.length / 2);
      expect(zlib.brotliDecompressSync(br.body).equals(file), asset).toBe(true);

      const gz = await raw(asset, 'gzip, deflate');
      expect(gz.headers['content-encoding'], asset).toBe('gzip');
      expect(zlib.gunzipSync(gz.body).equals(file), asset).toBe(true);

      // No Accept-Encoding (or identity only): the file as it is.
      for (const accept of [undefined, 'identity']) {
        const plain = await raw(asset, accept);
        expect(plain.headers['content-encoding'], asset).toBeUndefined();
        expect(plain.body.equals(file), asset).toBe(true);
      }
    }
  });

  it('the API’s own JSON answers are gzipped when large enough, and a missing asset stays a 404', async () => {
    const r = await raw('/api/openapi.json', 'gzip');
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(zlib.gunzipSync(r.body).toString('utf8'))).toHaveProperty('paths');
    expect((await raw('/assets/no-such-file-1234.js', 'br')).status).toBe(404);
  });
});
