/**
 * 附件 (attachments) on applications and on their comments, through the HTTP
 * API on real Temporal and Postgres: each allowed type, the type judged by the
 * bytes (an HTML page renamed .pdf is refused), the size and count limits with
 * nothing stored on a refusal, the same content stored once, downloads that no
 * browser renders, and who may upload, list and download.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Approvals, type Sandbox } from '../support/approvals';
import { download, sampleJpeg, samplePdf, samplePng, sampleXlsx, storedFiles, upload, XLSX } from '../support/attachments';
import { buildSubsidy } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';
import { referencedContents } from '../../db/attachment-repository';
import { createAttachmentStore } from '../../runtime/attachment-store';

/** This file's limits: small, so a file over the size limit stays small too. */
const MAX_BYTES = 64 * 1024;
const PER_APPLICATION = 6;

let h: Harness;
let api: Approvals;
let box: Sandbox;
beforeAll(async () => {
  h = await startHarness({ attachments: { maxBytes: MAX_BYTES, perApplication: PER_APPLICATION } });
  api = new Approvals(h);
  box = await api.sandbox();
});
afterAll(async () => {
  await h?.close();
});

/** A subsidy of the sandbox's staff, waiting at the city review (city.reviewer's task). */
async function subsidy(): Promise<{ id: string; taskId: string }> {
  const id = await api.start(box.staff, buildSubsidy());
  const task = await api.task('city.reviewer', id, 0);
  return { id, taskId: task.id };
}

/** What an upload could write: the application's attachment rows and audit rows, and the files on disk. */
async function footprint(appId: string) {
  return {
    rows: await h.db('attachments').where({ application_id: appId }).count({ n: '*' }).first(),
    audit: await h.db('audit_log').where({ application_id: appId }).count({ n: '*' }).first(),
    files: storedFiles(h.attachmentsDir).sort(),
  };
}

describe('uploading each allowed type', () => {
  it('when the applicant attaches a PDF, a PNG, a JPEG and an xlsx, each is stored with the type its bytes show and listed on the application', async () => {
    const { id } = await subsidy();
    const files = [
      { bytes: await samplePdf('Invoice 2026-001'), name: '发票.pdf', type: 'application/pdf', expect: 'application/pdf' },
      { bytes: samplePng(), name: '现场照片.png', type: 'image/png', expect: 'image/png' },
      // A phone's photo with no extension and a generic Content-Type: the bytes say JPEG, the name gets .jpg.
      { bytes: sampleJpeg(), name: '司机之家', type: 'application/octet-stream', expect: 'image/jpeg', shown: '司机之家.jpg' },
      { bytes: await sampleXlsx(), name: '补助明细.xlsx', type: XLSX, expect: XLSX },
    ];
    for (const f of files) {
      const r = await upload(h, box.staff, id, f);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body).toMatchObject({
        id: expect.any(String),
        name: f.shown ?? f.name,
        size: f.bytes.length,
        type: f.expect,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        uploadedBy: box.staff,
        uploadedByName: `测试staff ${box.org}`,
        at: expect.any(String),
      });
    }
    const list = await h.call('GET', `/api/applications/${id}/attachments`, { token: await h.login(box.staff) });
    expect(list.status).toBe(200);
    expect(list.body.items.map((a: { name: string }) => a.name)).toEqual(['发票.pdf', '现场照片.png', '司机之家.jpg', '补助明细.xlsx']);
    const app = await api.app(box.staff, id);
    expect(app.attachments).toHaveLength(4);
    const entries = app.timeline.filter((e: { action: string }) => e.action === 'attachment');
    expect(entries.map((e: { comment: string }) => e.comment)).toEqual([
      '上传附件：发票.pdf / attached 发票.pdf',
      '上传附件：现场照片.png / attached 现场照片.png',
      '上传附件：司机之家.jpg / attached 司机之家.jpg',
      '上传附件：补助明细.xlsx / attached 补助明细.xlsx',
    ]);
    expect(entries[0]).toMatchObject({ actor: box.staff, data: { attachment: { name: '发票.pdf', type: 'application/pdf' } } });
  });

  it('when an HTML page is renamed .pdf and sent as application/pdf, it is refused with 415 naming the file, and nothing is stored', async () => {
    const { id } = await subsidy();
    const before = await footprint(id);
    const page = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script>发票</body></html>');
    const r = await upload(h, box.staff, id, { bytes: page, name: '发票.pdf', type: 'application/pdf' });
    expect(r.status).toBe(415);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.detail).toMatch(/^只能上传 PDF、PNG、JPEG 图片或 Excel（xlsx）文件 \/ only PDF/);
    expect(r.body.errors).toEqual([{ path: 'file', message: expect.stringContaining('PDF') }]);
    // An SVG (a picture that can run script) is refused the same way.
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="4" height="4"/></svg>');
    expect((await upload(h, box.staff, id, { bytes: svg, name: 'logo.png', type: 'image/png' })).status).toBe(415);
    expect(await footprint(id)).toEqual(before);
  });

  it('when a file is larger than the limit, the upload answers 413 and nothing is stored', async () => {
    const { id } = await subsidy();
    const before = await footprint(id);
    const big = await samplePdf('Large scan', MAX_BYTES + 1);
    const r = await upload(h, box.staff, id, { bytes: big, name: '扫描件.pdf', type: 'application/pdf' });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ status: 413, errors: [{ path: 'file', message: expect.stringContaining('MB') }] });
    expect(await footprint(id)).toEqual(before);
  });

  it('when no file is sent, or the body is not multipart, the answer is 400 naming file, and an unknown taskId is named too', async () => {
    const { id } = await subsidy();
    const before = await footprint(id);
    const none = await upload(h, box.staff, id, undefined, { comment: '见附件' });
    expect(none.status).toBe(400);
    expect(none.body.errors).toEqual([{ path: 'file', message: expect.any(String) }]);
    const json = await h.call('POST', `/api/applications/${id}/attachments`, { token: await h.login(box.staff), body: { file: 'x' } });
    expect(json.status).toBe(400);
    expect(json.body.errors).toEqual([{ path: 'file', message: expect.any(String) }]);
    const wrongTask = await upload(h, box.staff, id, { bytes: samplePng(), name: 'a.png', type: 'image/png' }, { taskId: 'no-such-task' });
    expect(wrongTask.status).toBe(400);
    expect(wrongTask.body.errors).toEqual([{ path: 'taskId', message: expect.any(String) }]);
    expect(await footprint(id)).toEqual(before);
  });

  it(`when an application already carries ${PER_APPLICATION} attachments, one more answers 409 and nothing is stored`, async () => {
    const { id } = await subsidy();
    for (let i = 0; i < PER_APPLICATION; i++) {
      const r = await upload(h, box.staff, id, { bytes: await samplePdf(`page ${i}`), name: `第${i + 1}页.pdf` });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const before = await footprint(id);
    const r = await upload(h, box.staff, id, { bytes: await samplePdf('one too many'), name: '多余.pdf' });
    expect(r.status).toBe(409);
    expect(r.body.detail).toContain(`最多 ${PER_APPLICATION} 个附件`);
    expect(await footprint(id)).toEqual(before);
  });
});

describe('content-addressed storage', () => {
  it('when the same file is attached twice, it is stored once on disk and recorded as two attachments', async () => {
    const { id } = await subsidy();
    const bytes = await samplePdf(`Same content ${id}`);
    const first = await upload(h, box.staff, id, { bytes, name: '合同.pdf' });
    const second = await upload(h, box.staff, id, { bytes, name: '合同（副本）.pdf' });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.sha256).toBe(first.body.sha256);
    expect(second.body.id).not.toBe(first.body.id);
    const sha = first.body.sha256 as string;
    const onDisk = storedFiles(h.attachmentsDir).filter((f) => path.basename(f) === sha);
    expect(onDisk).toEqual([path.join(h.attachmentsDir, sha.slice(0, 2), sha)]);
    expect(fs.readFileSync(onDisk[0]!).equals(bytes)).toBe(true);
    const rows = await h.db('attachments').where({ sha256: sha, application_id: id }).select('id', 'name');
    expect(rows.map((r) => r.name).sort()).toEqual(['合同.pdf', '合同（副本）.pdf'].sort());
  });

  it('a file no attachment names any more is swept from disk once past its grace period; files attachments name stay', async () => {
    const { id } = await subsidy();
    const named = await upload(h, box.staff, id, { bytes: await samplePdf(`kept ${id}`), name: '保留.pdf' });
    expect(named.status).toBe(201);
    const store = createAttachmentStore(h.attachmentsDir);
    // A file without its row: a crash between the two, or the row erased with a worker's personal data.
    const orphan = await store.put(await samplePdf(`orphan ${id}`));
    expect(fs.existsSync(store.pathOf(orphan.sha256))).toBe(true);
    // Within the grace period (an upload writes its file before its row) nothing is swept.
    await store.sweep((shas) => referencedContents(h.db, shas));
    expect(fs.existsSync(store.pathOf(orphan.sha256))).toBe(true);
    await store.sweep((shas) => referencedContents(h.db, shas), 0);
    expect(fs.existsSync(store.pathOf(orphan.sha256))).toBe(false);
    expect(fs.existsSync(store.pathOf(named.body.sha256 as string))).toBe(true);
    expect((await download(h, box.staff, `/api/attachments/${named.body.id}`)).status).toBe(200);
  });

  it('when an upload is repeated with the same Idempotency-Key, the first answer comes back and nothing more is written', async () => {
    const { id } = await subsidy();
    const file = { bytes: samplePng(), name: '回执.png' };
    const key = `attach-${id}`;
    const first = await upload(h, box.staff, id, file, {}, { 'Idempotency-Key': key });
    const again = await upload(h, box.staff, id, file, {}, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await h.db('attachments').where({ application_id: id }).count({ n: '*' }).first()).toEqual({ n: '1' });
  });
});

describe('downloads', () => {
  it('a download is always an attachment with its UTF-8 name, the sniffed type, nosniff and a sandbox CSP — even for a file sent as text/html', async () => {
    const { id } = await subsidy();
    const png = samplePng();
    const up = await upload(h, box.staff, id, { bytes: png, name: '会议纪要<script>.html', type: 'text/html' });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ type: 'image/png', name: '会议纪要_script_.html.png' });
    const r = await download(h, 'city.reviewer', `/api/attachments/${up.body.id}`);
    expect(r.status).toBe(200);
    expect(r.bytes.equals(png)).toBe(true);
    expect(r.headers.get('content-type')).toBe('image/png');
    const disposition = r.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^attachment;/);
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent('会议纪要_script_.html.png')}`);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-security-policy')).toMatch(/^sandbox\b/);
    expect(r.headers.get('cache-control')).toContain('no-store');
  });
});

describe('who may upload, list and download', () => {
  it('a user of another city gets 404 for the upload, the list and the download, and nothing is written', async () => {
    const { id } = await subsidy();
    const ok = await upload(h, box.staff, id, { bytes: samplePng(), name: '照片.png' });
    expect(ok.status).toBe(201);
    const before = await footprint(id);
    const r = await upload(h, 'xc.staff', id, { bytes: await samplePdf('outsider'), name: '外来.pdf' });
    expect(r.status).toBe(404);
    expect((await h.call('GET', `/api/applications/${id}/attachments`, { token: await h.login('xc.staff') })).status).toBe(404);
    expect((await download(h, 'xc.staff', `/api/attachments/${ok.body.id}`)).status).toBe(404);
    expect((await download(h, 'xc.staff', `/api/attachments/no-such-attachment`)).status).toBe(404);
    expect(await footprint(id)).toEqual(before);
  });

  it('a user who sees the application but neither applied nor holds its task gets 403 for an upload, nothing written, and may still list and download', async () => {
    const { id } = await subsidy();
    const ok = await upload(h, box.staff, id, { bytes: samplePng(), name: '照片.png' });
    const before = await footprint(id);
    for (const outsider of ['city.staff', 'xinhua.reviewer']) {
      const r = await upload(h, outsider, id, { bytes: await samplePdf(outsider), name: '意见.pdf' });
      expect(r.status, outsider).toBe(403);
      expect(r.body.detail).toContain('只有申请人和当前审批人可以上传附件');
    }
    expect(await footprint(id)).toEqual(before);
    const list = await h.call('GET', `/api/applications/${id}/attachments`, { token: await h.login('city.staff') });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect((await download(h, 'xinhua.reviewer', `/api/attachments/${ok.body.id}`)).status).toBe(200);
  });

  it('an admin over the city review may attach in its holder’s place, and the timeline records the override', async () => {
    const { id } = await subsidy();
    const r = await upload(h, 'city.admin', id, { bytes: samplePng(), name: '核查照片.png' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const entry = (await api.timeline(id, box.staff)).find((e) => e.action === 'attachment');
    expect(entry).toMatchObject({ actor: 'city.admin', data: { override: true, attachment: { name: '核查照片.png' } } });
  });

  it('once the application is withdrawn, the applicant gets 409 and nothing is stored', async () => {
    const { id } = await subsidy();
    const w = await api.appAct(box.staff, id, { action: 'withdraw', comment: '撤回重报' });
    expect(w.status, JSON.stringify(w.body)).toBe(200);
    await api.status(id, 'withdrawn', box.staff);
    const before = await footprint(id);
    const r = await upload(h, box.staff, id, { bytes: samplePng(), name: '补充.png' });
    expect(r.status).toBe(409);
    expect(await footprint(id)).toEqual(before);
  });
});

describe('attachments on comments', () => {
  it('when the city reviewer attaches a file with a comment on their task, the timeline shows the comment with the file and the task view lists it', async () => {
    const { id, taskId } = await subsidy();
    const r = await upload(h, 'city.reviewer', id, { bytes: await sampleXlsx(), name: '核减明细.xlsx' }, { comment: '请按核减明细修改预算', taskId });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ name: '核减明细.xlsx', type: XLSX, uploadedByName: '市总组织部审核员', comment: '请按核减明细修改预算', taskId });
    const timeline = await api.timeline(id, box.staff);
    const entry = timeline.find((e) => e.action === 'attachment');
    expect(entry).toMatchObject({
      actor: 'city.reviewer',
      comment: '请按核减明细修改预算',
      step: expect.stringContaining('市总初审'),
      data: { note: '上传附件：核减明细.xlsx / attached 核减明细.xlsx', taskId, attachment: { id: r.body.id, name: '核减明细.xlsx', type: XLSX } },
    });
    const task = await h.call('GET', `/api/tasks/${taskId}`, { token: await h.login('city.reviewer') });
    expect(task.status).toBe(200);
    expect(task.body.attachments).toEqual([expect.objectContaining({ id: r.body.id, comment: '请按核减明细修改预算', taskId })]);
  });
});
