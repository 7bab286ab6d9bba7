/**
 * `npm run bench:public-page`: how fast the public join page (扫码入会,
 * /join?union=…) shows its form on a phone on 3G.
 *
 * Starts a system of its own (bench/lib/system.ts: Postgres, Temporal, the
 * API serving the built web app from web/dist, the worker), then opens the
 * page in Debian's Chromium (playwright-core), phone-sized (390×844), with a
 * cold cache, under Chrome DevTools Protocol throttling:
 *   Regular 3G  750 kbit/s down, 250 kbit/s up, 100 ms round trip
 *   Fast 3G     1,440 kbit/s down, 675 kbit/s up, 562.5 ms round trip (DevTools' preset)
 * and the CPU slowed ×4 (a mid-range phone). It prints, as the median of
 * RUNS loads: the time from navigation to the form's submit button being
 * visible (measured in the page: a MutationObserver stamps performance.now()
 * when the button first has a size), the time the last of the page's
 * assets (JS, CSS) finished downloading — the network's share, apart from
 * the CPU's — and the bytes
 * transferred (compressed, with headers) and the uncompressed size of the
 * page's HTML, JS and CSS, with each asset's Content-Encoding.
 *
 * Before/after: BASELINE_DIST=<a web/dist built from main> also serves that
 * build the way main's API did (express.static: no compression, index.html
 * for every page path; /api forwarded to the same system) and measures it
 * the same way. The web app must be built first (`npm run build:web`).
 *
 * Parameters (argument NAME=value, or environment NAME / BENCH_NAME):
 *   RUNS=3            page loads per profile (median reported)
 *   CPU=4             CPU slow-down factor
 *   BASELINE_DIST=    a web/dist of main's build, measured for comparison
 *   PATH_QUERY=/join?union=pds-xinhua-express   the page opened
 *   KEEP=false        keep the temp folder with the processes' logs
 *   DATABASE_URL      use that server (a fresh database in it) instead of the embedded Postgres
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { chromium, type Browser } from 'playwright-core';
import { WEB_DIST } from '../api/web';
import { boolParam, intParam, printHeader, strParam } from './lib/params';
import { log, onCleanup, runBench, startSystem } from './lib/system';

const RUNS = intParam('RUNS', 3, 1);
const CPU = intParam('CPU', 4, 1);
const BASELINE_DIST = strParam('BASELINE_DIST', '');
const PAGE = strParam('PATH_QUERY', '/join?union=pds-xinhua-express');
const KEEP = boolParam('KEEP', false);
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

interface Profile {
  name: string;
  downKbit: number;
  upKbit: number;
  rttMs: number;
}
const PROFILES: Profile[] = [
  { name: 'Regular 3G', downKbit: 750, upKbit: 250, rttMs: 100 },
  { name: 'Fast 3G', downKbit: 1440, upKbit: 675, rttMs: 562.5 },
];

interface Load {
  formVisibleMs: number;
  assetsDoneMs: number;
  transferred: number;
  uncompressed: number;
  requests: number;
  assets: { name: string; transferred: number; uncompressed: number; encoding: string }[];
}

/** Stamps the moment the join form's submit button first has a size (the form is visible). */
const STAMP_FORM = `
  (() => {
    const check = () => {
      const b = document.querySelector('[data-testid="join-form"] button[type="submit"]');
      if (b && b.getBoundingClientRect().height > 0) { window.__formVisible = performance.now(); obs.disconnect(); }
    };
    const obs = new MutationObserver(check);
    obs.observe(document, { childList: true, subtree: true, attributes: true });
  })();
`;

async function measure(browser: Browser, base: string, profile: Profile): Promise<Load> {
  const context = await browser.newContext({
    baseURL: base,
    locale: 'zh-CN',
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    // The bench's own probes (waitForFunction) evaluate strings, which the app's CSP refuses; the page's loading is the same.
    bypassCSP: true,
  });
  try {
    const page = await context.newPage();
    await page.addInitScript(STAMP_FORM);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: profile.rttMs,
      downloadThroughput: (profile.downKbit * 1000) / 8,
      uploadThroughput: (profile.upKbit * 1000) / 8,
      connectionType: 'cellular3g',
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU });
    const encodings = new Map<string, string>();
    const transferredByUrl = new Map<string, number>();
    cdp.on('Network.responseReceived', (e) => {
      const h = e.response.headers as Record<string, string>;
      const enc = Object.entries(h).find(([k]) => k.toLowerCase() === 'content-encoding')?.[1] ?? 'none';
      encodings.set(e.requestId, `${e.response.url}\t${enc}`);
    });
    cdp.on('Network.loadingFinished', (e) => transferredByUrl.set(e.requestId, e.encodedDataLength));
    await page.goto(PAGE, { waitUntil: 'commit' });
    await page.waitForFunction('window.__formVisible !== undefined', undefined, { timeout: 120_000, polling: 100 });
    await page.waitForLoadState('load');
    const timing = await page.evaluate(`(() => {
      const assets = performance.getEntriesByType('resource').filter((r) => new URL(r.name).pathname.startsWith('/assets/'));
      return { formVisible: window.__formVisible, assetsDone: Math.max(0, ...assets.map((r) => r.responseEnd)) };
    })()`);
    const { formVisible, assetsDone } = timing as { formVisible: number; assetsDone: number };
    // Sizes of the page's own documents, scripts and styles (not the API's JSON answers).
    const sizes: { name: string; decoded: number }[] = await page.evaluate(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const res = performance.getEntriesByType('resource').filter((r) => !new URL(r.name).pathname.startsWith('/api/'));
      return [nav, ...res].map((r) => ({ name: new URL(r.name).pathname, decoded: r.decodedBodySize }));
    })()`);
    const byPath = new Map<string, { transferred: number; encoding: string }>();
    for (const [id, line] of encodings) {
      const [url, encoding] = line.split('\t') as [string, string];
      const p = new URL(url).pathname;
      if (p.startsWith('/api/')) continue;
      byPath.set(p, { transferred: transferredByUrl.get(id) ?? 0, encoding });
    }
    const assets = sizes.map((s) => ({
      name: s.name,
      uncompressed: s.decoded,
      transferred: byPath.get(s.name)?.transferred ?? 0,
      encoding: byPath.get(s.name)?.encoding ?? '?',
    }));
    return {
      formVisibleMs: formVisible,
      assetsDoneMs: assetsDone,
      transferred: assets.reduce((n, a) => n + a.transferred, 0),
      uncompressed: assets.reduce((n, a) => n + a.uncompressed, 0),
      requests: assets.length,
      assets,
    };
  } finally {
    await context.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** Main's way of serving the web app: files as they are, index.html for every page path; /api forwarded to the system. */
async function serveBaseline(dist: string, apiUrl: string): Promise<string> {
  const app = express();
  app.use('/api', async (req, res) => {
    const r = await fetch(apiUrl + req.originalUrl, { headers: { accept: req.get('accept') ?? '*/*' } });
    res.status(r.status);
    const type = r.headers.get('content-type');
    if (type) res.type(type);
    res.send(Buffer.from(await r.arrayBuffer()));
  });
  app.use(
    express.static(dist, {
      index: false,
      setHeaders(res, file) {
        if (file.includes(`${path.sep}assets${path.sep}`)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  app.use((_req, res) => res.sendFile(path.join(dist, 'index.html')));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function main(): Promise<number> {
  printHeader('bench:public-page — the public join page on a 3G phone', { RUNS, CPU, PAGE, BASELINE_DIST: BASELINE_DIST || '(none)' });
  if (!fs.existsSync(path.join(WEB_DIST, 'public.html'))) throw new Error('web/dist/public.html is missing: run `npm run build:web` first');
  if (BASELINE_DIST && !fs.existsSync(path.join(BASELINE_DIST, 'index.html'))) throw new Error(`BASELINE_DIST=${BASELINE_DIST} has no index.html`);
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: npx tsx scripts/install-browser.ts installs it, or set CHROMIUM_PATH`);
  const system = await startSystem({ keep: KEEP });
  log(system.describe());
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--lang=zh-CN'],
  });
  onCleanup(() => browser.close());

  const targets: { name: string; base: string }[] = [];
  if (BASELINE_DIST)
    targets.push({ name: `before (main's build, ${BASELINE_DIST}, served uncompressed)`, base: await serveBaseline(BASELINE_DIST, system.apiUrl) });
  targets.push({ name: 'after (this build, web/dist, public entry, precompressed)', base: system.apiUrl });

  // One unthrottled load first: the API's first answers (org tree) are warm for every measured load.
  await measure(browser, system.apiUrl, { name: 'warm-up', downKbit: 1e6, upKbit: 1e6, rttMs: 0 });

  const summary: string[] = [];
  for (const target of targets) {
    console.log(`\n== ${target.name}`);
    for (const profile of PROFILES) {
      const loads: Load[] = [];
      for (let i = 0; i < RUNS; i++) loads.push(await measure(browser, target.base, profile));
      const m = {
        form: median(loads.map((l) => l.formVisibleMs)),
        assetsDone: median(loads.map((l) => l.assetsDoneMs)),
        transferred: median(loads.map((l) => l.transferred)),
        uncompressed: median(loads.map((l) => l.uncompressed)),
      };
      console.log(
        `  ${profile.name} (${profile.downKbit} kbit/s down, ${profile.upKbit} kbit/s up, ${profile.rttMs} ms RTT, CPU ×${CPU}): ` +
          `form visible ${(m.form / 1000).toFixed(2)} s (runs: ${loads.map((l) => (l.formVisibleMs / 1000).toFixed(2)).join(', ')}), ` +
          `assets downloaded ${(m.assetsDone / 1000).toFixed(2)} s; transferred ${kb(m.transferred)}, uncompressed ${kb(m.uncompressed)}, ${loads[0]!.requests} requests`,
      );
      summary.push(
        `${target.name.split(' ')[0]} · ${profile.name}: form visible ${(m.form / 1000).toFixed(2)} s, transferred ${kb(m.transferred)} (uncompressed ${kb(m.uncompressed)})`,
      );
      if (profile === PROFILES[0])
        for (const a of loads[0]!.assets)
          console.log(
            `      ${a.name.padEnd(44)} ${kb(a.transferred).padStart(10)} transferred  ${kb(a.uncompressed).padStart(10)} uncompressed  ${a.encoding}`,
          );
    }
  }
  console.log('\nsummary');
  for (const line of summary) console.log(`  ${line}`);
  return 0;
}

runBench(main);
