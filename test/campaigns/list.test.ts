/**
 * The campaign list: newest first whatever the id looks like (ids made from an
 * Idempotency-Key are hashes, not time-ordered), and paging by cursor visits
 * every campaign exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { unique } from '../support/factories';
import { buildLaunch } from '../support/campaigns';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('the campaign list', () => {
  it('shows campaigns launched with an Idempotency-Key newest first, and pages through all of them once', async () => {
    const token = await h.login('city.admin');
    const launched: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { id: _ignored, ...body } = buildLaunch();
      void _ignored;
      const r = await h.call('POST', '/api/campaigns', { token, body, headers: { 'idempotency-key': unique('list-') } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.id).toMatch(/^k[0-9a-f]{20}$/);
      launched.push(r.body.id);
    }

    // The first page holds the newest campaigns; ours are the four newest of this test.
    const first = await h.call('GET', '/api/campaigns?limit=200', { token });
    expect(first.status).toBe(200);
    const order = (first.body.items as { id: string }[]).map((c) => c.id).filter((id) => launched.includes(id));
    expect(order).toEqual([...launched].reverse());

    // Paging two at a time returns each campaign once, in the same order as one big page.
    const paged: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 500; pages++) {
      const r: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await h.call(
        'GET',
        `/api/campaigns?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token },
      );
      expect(r.status).toBe(200);
      paged.push(...r.body.items.map((c) => c.id));
      cursor = r.body.nextCursor;
      if (!cursor) break;
    }
    expect(new Set(paged).size).toBe(paged.length);
    expect(paged.filter((id) => launched.includes(id))).toEqual([...launched].reverse());
    const all = (first.body.items as { id: string }[]).map((c) => c.id);
    expect(paged.filter((id) => all.includes(id))).toEqual(all);
  }, 120_000);
});
