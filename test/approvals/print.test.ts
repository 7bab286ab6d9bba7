/**
 * The printable 审批单 (GET /api/applications/:id/print) of a subsidy that the
 * city and the province approved, with an attachment: as HTML and as PDF, in
 * Chinese, with people by name and post (never a login), times in Beijing
 * time; who may print it; and a server without its CJK font.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Approvals, type Sandbox } from '../support/approvals';
import { readPdf, samplePdf, upload } from '../support/attachments';
import { buildSubsidy, unique } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
let api: Approvals;
let box: Sandbox;
let appId: string;
let title: string;
/** The Beijing times (YYYY-MM-DD HH:mm) of the two approvals, computed here from the audit rows. */
let approvedAt: string[];

const beijing = (at: Date) => at.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16);

beforeAll(async () => {
  h = await startHarness();
  api = new Approvals(h);
  box = await api.sandbox();
  title = `司机之家建设补助 ${unique()}`;
  appId = await api.start(box.staff, buildSubsidy({ title, amount: 35_800.5, reason: '为货车司机建设休息室' }));
  const up = await upload(h, box.staff, appId, { bytes: await samplePdf('Quote'), name: '报价单.pdf' });
  expect(up.status, JSON.stringify(up.body)).toBe(201);
  await api.task('city.reviewer', appId, 0);
  await api.approve('city.reviewer', appId, '材料齐全，同意上报 / complete');
  await api.task('prov.reviewer', appId, 1);
  await api.approve('prov.reviewer', appId, '同意立项 / approved');
  await api.status(appId, 'approved', box.staff);
  const rows = await h.db('audit_log').where({ application_id: appId, action: 'approve' }).orderBy('id').select('at');
  approvedAt = rows.map((r: { at: Date }) => beijing(r.at));
});
afterAll(async () => {
  await h?.close();
});

const print = async (username: string, query = '') => h.call('GET', `/api/applications/${appId}/print${query}`, { token: await h.login(username) });

async function pdfOf(username: string) {
  const res = await fetch(`${h.url}/api/applications/${appId}/print?format=pdf`, { headers: { authorization: `Bearer ${await h.login(username)}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('the 审批单 as HTML', () => {
  it('shows the title, type, applicant, the form with Chinese labels, every decision by name and post in Beijing time, the attachments and the print time', async () => {
    const r = await print(box.staff);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = r.body as string;
    for (const text of [
      '<h1>审批单</h1>',
      '经费补助',
      title,
      `测试staff ${box.org}`,
      `测试乡镇 ${box.org}`,
      '申请金额（元）',
      '35,800.50',
      '申请理由',
      '为货车司机建设休息室',
      // Decisions: names and posts, the Chinese decision, the Chinese half of the comment.
      '市总组织部审核员',
      '平顶山市总工会 审核员',
      '省总基层工作部审核员',
      '河南省总工会 审核员',
      '市总初审',
      '<td>同意</td>',
      '材料齐全，同意上报',
      '立项通知与补助下拨',
      '系统自动办理',
      // Attachments and the footer.
      '报价单.pdf',
      'PDF 文档',
      '打印时间',
      '（北京时间）',
      ...approvedAt,
    ])
      expect(html, text).toContain(text);
    // People by name, never by login; no raw UTC timestamps anywhere.
    for (const login of ['city.reviewer', 'prov.reviewer', box.staff]) expect(html).not.toContain(login);
    expect(html).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(html).not.toMatch(/\d\dZ\b/);
    expect(html).toContain('@page { size: A4');
  });

  it('shows a value that looks like markup as text, not as markup', async () => {
    const id = await api.start(box.staff, buildSubsidy({ title: `<img src=x onerror=alert(1)> ${unique()}`, reason: '<script>alert(1)</script>' }));
    const r = await h.call('GET', `/api/applications/${id}/print`, { token: await h.login(box.staff) });
    expect(r.status).toBe(200);
    expect(r.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(r.body).not.toContain('<script>');
    expect(r.body).not.toContain('<img src=x');
  });
});

describe('the 审批单 as PDF', () => {
  it('is an A4 PDF download set in the CJK font, saying what the HTML page says', async () => {
    const r = await pdfOf(box.staff);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment;.*filename\*=UTF-8''/);
    expect(r.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pdf = readPdf(r.bytes);
    expect(pdf.pages).toBeGreaterThanOrEqual(1);
    expect(pdf.fonts).toContain('NotoSansCJKsc-Regular');
    const text = pdf.text.replace(/\s+/g, '');
    for (const expected of [
      '审批单',
      '经费补助',
      title,
      `测试staff${box.org}`,
      '申请金额（元）',
      '35,800.50',
      '市总组织部审核员',
      '平顶山市总工会审核员',
      '省总基层工作部审核员',
      '同意',
      '材料齐全，同意上报',
      '报价单.pdf',
      '打印时间',
      ...approvedAt.map((t) => t.replace(' ', '')),
    ])
      expect(text, expected).toContain(expected.replace(/\s+/g, ''));
    expect(text).not.toContain('city.reviewer');
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
  });
});

describe('the print link (a tab of its own)', () => {
  it('opens the HTML and the PDF without a bearer token for five minutes, and refuses a link altered or made for another application', async () => {
    const r = await h.call('POST', `/api/applications/${appId}/print-link`, { token: await h.login('city.staff') });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.url.startsWith(`/print/applications/${appId}?token=`)).toBe(true);
    expect(new Date(r.body.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(300_000);
    const page = await fetch(h.url + r.body.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('<h1>审批单</h1>');
    // Printed by the one the link was made for.
    expect(html).toContain('打印人：市总组织部干事');
    const pdf = await fetch(h.url + r.body.pdfUrl);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');
    const token = new URL(r.body.url, h.url).searchParams.get('token')!;
    const other = await api.start(box.staff, buildSubsidy());
    for (const bad of [`/print/applications/${appId}?token=${token}x`, `/print/applications/${other}?token=${token}`, `/print/applications/${appId}`]) {
      const res = await fetch(h.url + bad);
      expect(res.status, bad).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await h.call('POST', `/api/applications/${appId}/print-link`, { token: await h.login('xc.staff') })).status).toBe(404);
  });
});

describe('who may print', () => {
  it('whoever sees the application may print it (a city staff member who took no part); a user of another city gets 404 for HTML and PDF', async () => {
    expect((await print('city.staff')).status).toBe(200);
    expect((await print('xc.staff')).status).toBe(404);
    expect((await pdfOf('xc.staff')).status).toBe(404);
    expect((await h.call('GET', '/api/applications/no-such-application/print', { token: await h.login(box.staff) })).status).toBe(404);
  });

  it('an unknown format is a 400 naming format', async () => {
    const r = await print(box.staff, '?format=docx');
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ path: 'format', message: expect.any(String) }]);
  });
});

describe('a server without its print font', () => {
  it('answers the PDF with a clear 503 problem and still serves the HTML page', async () => {
    const bare = await startHarness({ withWorker: false, printFont: { path: '/nonexistent/NotoSansCJK-Regular.ttc', name: 'NotoSansCJKsc-Regular' } });
    try {
      const token = await bare.login(box.staff);
      const pdf = await bare.call('GET', `/api/applications/${appId}/print?format=pdf`, { token });
      expect(pdf.status).toBe(503);
      expect(pdf.headers.get('content-type')).toContain('application/problem+json');
      expect(pdf.body.detail).toMatch(/^暂时无法生成 PDF：服务器缺少中文字体/);
      const html = await bare.call('GET', `/api/applications/${appId}/print`, { token });
      expect(html.status).toBe(200);
      expect(html.body).toContain('审批单');
    } finally {
      await bare.close();
    }
  });
});
