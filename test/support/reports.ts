/**
 * Bulletin (通报) test helpers: driving a campaign into implementation,
 * issuing and reading bulletins over the API, a real SMTP server on loopback
 * (smtp-server) that records what it receives, and just enough MIME decoding
 * to read a received message's subject and HTML body.
 */
import { expect } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { eventually, type Harness } from './harness';
import type { CampaignDriver } from './campaigns';

/** Survey → listing → implementation by the city admin's early advance. */
export async function advanceToImplementation(d: CampaignDriver, id: string) {
  await d.waitForPhase(id, 'survey');
  await d.advance(id, '摸底完成');
  await d.waitForPhase(id, 'listing');
  await d.advance(id, '清单已批复');
  return d.waitForPhase(id, 'implementation');
}

export async function issueBulletin(h: Harness, campaignId: string, opts: { username?: string; key?: string } = {}) {
  const r = await h.call('POST', `/api/campaigns/${campaignId}/reports`, {
    token: await h.login(opts.username ?? 'city.admin'),
    headers: opts.key ? { 'Idempotency-Key': opts.key } : {},
  });
  return r;
}

export async function issueOk(h: Harness, campaignId: string, opts: { key?: string } = {}) {
  const r = await issueBulletin(h, campaignId, opts);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; seq: number; label: string; kind: string };
}

export async function readBulletin(h: Harness, id: string, username = 'city.admin') {
  const r = await h.call('GET', `/api/reports/${id}`, { token: await h.login(username) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

/** The campaign's stored bulletins straight from the table (oldest first). */
export async function storedBulletins(h: Harness, campaignId: string) {
  return h.db('reports').where({ campaign_id: campaignId }).orderBy('seq').select('id', 'seq', 'period', 'period_index', 'kind', 'data');
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/**
 * A real SMTP server on 127.0.0.1 (no TLS, no auth) that keeps every message
 * it accepts. `failOnce` lists addresses whose first delivery attempt is
 * refused with a temporary error (451), as a busy mail server would.
 */
export async function startSmtpSink(opts: { failOnce?: string[] } = {}) {
  const received: ReceivedMail[] = [];
  const refused = new Set<string>();
  const attempts = new Map<string, number>();
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const to = address.address.toLowerCase();
      attempts.set(to, (attempts.get(to) ?? 0) + 1);
      if (opts.failOnce?.includes(to) && !refused.has(to)) {
        refused.add(to);
        const err = new Error('4.3.2 mailbox busy, try again later') as Error & { responseCode: number };
        err.responseCode = 451;
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Header value of a raw message (unfolded). */
export function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** Decodes RFC 2047 encoded words (=?UTF-8?B?…?= / =?UTF-8?Q?…?=). */
export function decodeWords(value: string): string {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi, (_m, _charset: string, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

/** The decoded body of the message's part of the given content type (base64 or quoted-printable). */
export function mimePart(raw: string, type: 'text/html' | 'text/plain'): string | undefined {
  const parts = raw.split(/\r?\n--[^\r\n]+\r?\n/);
  for (const part of parts) {
    const [head = '', ...rest] = part.split(/\r?\n\r?\n/);
    if (!new RegExp(`content-type:\\s*${type.replace('/', '\\/')}`, 'i').test(head)) continue;
    const body = rest.join('\n\n').replace(/\r?\n--[^\r\n]*--\s*$/, '');
    if (/content-transfer-encoding:\s*base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
      return Buffer.from(
        body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      ).toString('utf8');
    }
    return body;
  }
  return undefined;
}

/** Waits until the SMTP sink holds `n` messages. */
export async function waitForMail(sink: { received: ReceivedMail[] }, n: number, timeoutMs = 20_000) {
  return eventually(() => Promise.resolve(sink.received.length >= n ? sink.received : undefined), timeoutMs, 100);
}
