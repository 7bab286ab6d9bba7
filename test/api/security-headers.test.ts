/**
 * The API's security headers (helmet) and the bulletin print page's own URL
 * (issue 12): a CSP with no inline scripts and no framing, HSTS, and a print
 * page opened from a short-lived signed link instead of a blob.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver } from '../support/campaigns';
import { issueOk } from '../support/reports';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let h: Harness;
let d: CampaignDriver;

beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await h?.close();
});

/** The CSP as directive → sources. */
function csp(header: string | null): Map<string, string[]> {
  return new Map(
    (header ?? '')
      .split(';')
      .map((p) => p.trim().split(/\s+/))
      .filter((p) => p[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe('security headers on every answer', () => {
  it('sends a CSP without inline or foreign scripts and without framing, HSTS, X-Frame-Options DENY and nosniff', async () => {
    for (const [pathname, token] of [
      ['/healthz', undefined],
      ['/api/me', await h.login('city.admin')],
      ['/api/no-such-route', await h.login('city.admin')],
    ] as const) {
      const r = await h.call('GET', pathname, { token });
      const policy = csp(r.headers.get('content-security-policy'));
      expect(policy.get('script-src'), pathname).toEqual(["'self'"]);
      expect(policy.get('default-src')).toEqual(["'self'"]);
      expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
      expect(policy.get('object-src')).toEqual(["'none'"]);
      expect(r.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-powered-by')).toBeNull();
    }
  });

  it("the web app's pages (staff app, public join pages, member card) need no inline script: every script tag loads a file, and no element has an inline handler", () => {
    for (const page of ['index.html', 'public.html', 'member-card.html']) {
      const html = fs.readFileSync(path.join(ROOT, 'web', page), 'utf8');
      const scripts = [...html.matchAll(/<script\b[^>]*>([^<]*)<\/script>/gi)];
      expect(scripts.length, page).toBeGreaterThan(0);
      for (const [tag, body] of scripts) {
        expect(tag, page).toMatch(/\ssrc="[^"]+"/);
        expect(body!.trim(), page).toBe('');
      }
      expect(html, page).not.toMatch(/\son[a-z]+=/i);
    }
  });
});

describe('the bulletin print page', () => {
  let reportId: string;

  beforeAll(async () => {
    const { id } = await d.launch(buildLaunch({ regions: ['pds-xinhua'] }));
    await d.waitForPhase(id, 'survey');
    reportId = (await issueOk(h, id)).id;
  }, 120_000);

  it('has its own URL: a reader gets a signed link, and the page behind it is the bulletin under a strict CSP', async () => {
    const token = await h.login('city.lead');
    const link = await h.call('POST', `/api/reports/${reportId}/print-link`, { token });
    expect(link.status).toBe(201);
    expect(link.body.url).toMatch(new RegExp(`^/print/reports/${reportId}\\?token=[\\w.-]+$`));
    expect(Date.parse(link.body.expiresAt) - Date.now()).toBeLessThanOrEqual(300_000);

    // Opened in a tab of its own: no bearer token, only the link.
    const page = await fetch(h.url + link.body.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const policy = csp(page.headers.get('content-security-policy'));
    expect(policy.get('default-src')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.has('script-src')).toBe(false);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('新华区总工会');
    expect(html).not.toMatch(/<script/i);
  });

  it('gives no link to whom the bulletin is not circulated (403 in scope, 404 outside), and the link opens only its own bulletin', async () => {
    const refused = await h.call('POST', `/api/reports/${reportId}/print-link`, { token: await h.login('city.reviewer') });
    expect(refused.status).toBe(403);
    const outside = await h.call('POST', `/api/reports/${reportId}/print-link`, { token: await h.login('xc.admin') });
    expect(outside.status).toBe(404);

    const link = await h.call('POST', `/api/reports/${reportId}/print-link`, { token: await h.login('city.lead') });
    const other = await fetch(`${h.url}${link.body.url.replace(`/print/reports/${reportId}`, '/print/reports/999999')}`);
    expect(other.status).toBe(401);
    const tampered = await fetch(`${h.url}${link.body.url}x`);
    expect(tampered.status).toBe(401);
    const bare = await fetch(`${h.url}/print/reports/${reportId}`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
