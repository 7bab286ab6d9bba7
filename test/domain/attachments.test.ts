/**
 * The pure rules behind attachments and the 审批单: the name a file is shown
 * and downloaded under, who may attach (policy `attachToApplication`), and
 * how decisions and times are printed.
 */
import { describe, expect, it } from 'vitest';
import { approvalSheet, beijingTime, formPartFields, type SheetFacts } from '../../domain/approval-sheet';
import { attachmentName, isAllowedAttachmentType, MAX_NAME_LENGTH } from '../../domain/attachments';
import { attachToApplication, type Principal, type TaskFacts } from '../../domain/policy';

describe('the name an attachment is shown and downloaded under', () => {
  it('keeps a Chinese name whose extension fits its sniffed type', () => {
    expect(attachmentName('司机之家报价单.pdf', 'application/pdf')).toBe('司机之家报价单.pdf');
    expect(attachmentName('现场.JPG', 'image/jpeg')).toBe('现场.JPG');
  });

  it('adds the real extension when the name has none or another one', () => {
    expect(attachmentName('照片', 'image/jpeg')).toBe('照片.jpg');
    expect(attachmentName('报告.exe', 'application/pdf')).toBe('报告.exe.pdf');
    // A hidden file's leading dots go: ".pdf" is shown as "pdf.pdf".
    expect(attachmentName('.pdf', 'application/pdf')).toBe('pdf.pdf');
    expect(attachmentName('', 'image/png')).toBe('附件.png');
  });

  it('drops folders, control and direction-changing characters, so a name cannot pose as another file or path', () => {
    expect(attachmentName('../../etc/passwd', 'application/pdf')).toBe('passwd.pdf');
    expect(attachmentName('C:\\Users\\王\\发票.pdf', 'application/pdf')).toBe('发票.pdf');
    // "invoice‮fdp.exe" reads as invoiceexe.pdf on screen.
    expect(attachmentName('invoice\u202efdp.exe', 'application/pdf')).toBe('invoice_fdp.exe.pdf');
    expect(attachmentName('a\u0000b\r\n.png', 'image/png')).toBe('a_b__.png');
    expect(attachmentName('...hidden.png', 'image/png')).toBe('hidden.png');
  });

  it(`cuts a long name to ${MAX_NAME_LENGTH} characters and keeps its extension`, () => {
    const name = attachmentName(`${'很长的文件名'.repeat(40)}.xlsx`, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect([...name]).toHaveLength(MAX_NAME_LENGTH);
    expect(name.endsWith('.xlsx')).toBe(true);
  });

  it('allows PDF, PNG, JPEG and xlsx only — never HTML, SVG or a script', () => {
    for (const ok of ['application/pdf', 'image/png', 'image/jpeg', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'])
      expect(isAllowedAttachmentType(ok), ok).toBe(true);
    for (const no of ['text/html', 'image/svg+xml', 'application/javascript', 'application/zip', 'application/x-msdownload', undefined])
      expect(isAllowedAttachmentType(no), String(no)).toBe(false);
  });
});

describe('who may attach (attachToApplication)', () => {
  const applicant: Principal = { username: 'xinhua.staff', orgId: 'pds-xinhua', orgPath: '/henan/pds/pds-xinhua/', roles: ['staff'] };
  const colleague: Principal = { username: 'xinhua.admin', orgId: 'pds-xinhua', orgPath: '/henan/pds/pds-xinhua/', roles: ['admin'] };
  const reviewer: Principal = { username: 'city.reviewer', orgId: 'pds', orgPath: '/henan/pds/', roles: ['reviewer'] };
  const cityAdmin: Principal = { username: 'city.admin', orgId: 'pds', orgPath: '/henan/pds/', roles: ['admin'] };
  const cityStaff: Principal = { username: 'city.staff', orgId: 'pds', orgPath: '/henan/pds/', roles: ['staff'] };
  const cityTask: TaskFacts = { assignee: null, role: 'reviewer', orgId: 'pds', orgPath: '/henan/pds/', candidates: ['city.reviewer'] };
  const subsidy = { applicant: 'xinhua.staff', applicantOrgId: 'pds-xinhua', orgApplication: true };

  it('the applicant and, for an org’s own application, its staff and admins; the holder of a pending task; an admin overriding it', () => {
    expect(attachToApplication(applicant, subsidy, [cityTask])).toEqual({ allow: true });
    expect(attachToApplication(colleague, subsidy, [cityTask])).toEqual({ allow: true });
    expect(attachToApplication(colleague, { ...subsidy, orgApplication: false }, [cityTask]).allow).toBe(false);
    expect(attachToApplication(reviewer, subsidy, [cityTask])).toEqual({ allow: true });
    expect(attachToApplication(cityAdmin, subsidy, [cityTask])).toEqual({ allow: true, override: true });
  });

  it('refuses with 403 anyone else, and the approvers once no task of theirs is pending', () => {
    expect(attachToApplication(cityStaff, subsidy, [cityTask])).toMatchObject({ allow: false, status: 403 });
    expect(attachToApplication(reviewer, subsidy, [])).toMatchObject({ allow: false, status: 403 });
  });
});

describe('the 审批单 content', () => {
  const facts = (timeline: SheetFacts['timeline']): SheetFacts => ({
    type: 'subsidy',
    title: '司机之家补助',
    status: 'pending',
    createdAt: '2026-03-01T00:30:00Z',
    applicant: 'a',
    applicantOrgName: '新华区总工会',
    fields: [],
    timeline,
    tasks: [{ stepIndex: 0, assignee: null, role: 'reviewer', orgId: 'pds', orgName: '平顶山市总工会', candidates: ['r'] }],
    people: new Map([
      ['a', { name: '新华区干事', orgName: '新华区总工会', posts: [] }],
      ['r', { name: '市总审核员', orgName: '平顶山市总工会', posts: [{ orgId: 'pds', orgName: '平顶山市总工会', role: 'reviewer' }] }],
      ['adm', { name: '市总管理员', orgName: '平顶山市总工会', posts: [{ orgId: 'pds', orgName: '平顶山市总工会', role: 'admin' }] }],
    ]),
    attachments: [],
    viewer: 'a',
    now: new Date('2026-03-02T16:05:00Z'),
  });

  it('prints times in Beijing time, YYYY-MM-DD HH:mm, across the date line', () => {
    expect(beijingTime('2026-03-01T16:30:00Z')).toBe('2026-03-02 00:30');
    expect(beijingTime(new Date('2026-12-31T15:59:00Z'))).toBe('2026-12-31 23:59');
  });

  it('lists decisions in Chinese with names and posts; comments and events that decide nothing stay out', () => {
    const sheet = approvalSheet(
      facts([
        { at: '2026-03-01T01:00:00Z', actor: 'a', action: 'submitted', step: null, stepIndex: null, comment: null, data: null },
        { at: '2026-03-01T02:00:00Z', actor: 'r', action: 'comment', step: '市总初审 / city review', stepIndex: 0, comment: '看过', data: null },
        { at: '2026-03-01T03:00:00Z', actor: 'r', action: 'return', step: '市总初审 / city review', stepIndex: 0, comment: '请补充 / add more', data: null },
        { at: '2026-03-01T04:00:00Z', actor: 'adm', action: 'reject', step: '市总初审 / city review', stepIndex: 0, comment: null, data: { override: true } },
      ]),
    );
    expect(sheet.decisions).toEqual([
      { step: '市总初审', approver: '市总审核员', post: '平顶山市总工会 审核员', decision: '退回', at: '2026-03-01 11:00', comment: '请补充' },
      { step: '市总初审', approver: '市总管理员', post: '平顶山市总工会 管理员', decision: '驳回（管理员代为办理）', at: '2026-03-01 12:00', comment: '' },
    ]);
    expect(sheet).toMatchObject({ title: '审批单', typeLabel: '经费补助', status: '审批中', submittedAt: '2026-03-01 08:30', printedAt: '2026-03-03 00:05' });
    expect(sheet.applicant).toEqual({ name: '新华区干事', org: '新华区总工会' });
  });
});

describe('the form part of the 审批单 (a chain’s own form)', () => {
  const form = {
    schema: {
      type: 'object',
      properties: {
        drivers: { type: 'integer', title: '服务司机人数' },
        kind: { type: 'string', enum: ['station', 'home'] },
        services: { type: 'array', items: { type: 'string' } },
        ownPremises: { type: 'boolean', title: '自有场地' },
        secret: { type: 'string', title: '内部评分' },
      },
    },
    ui: { kind: { 'ui:title': '站点类型', 'ui:enumNames': ['司机之家', '职工之家'] }, 'ui:order': ['kind', '*'] },
  };

  it('prints the fields in the form’s order under their Chinese labels, choices by name, yes/no in Chinese, lists joined', () => {
    expect(formPartFields(form, { drivers: 1200, kind: 'station', services: ['饮水', '充电'], ownPremises: false })).toEqual([
      { label: '站点类型', value: '司机之家' },
      { label: '服务司机人数', value: '1,200' },
      { label: 'services', value: '饮水、充电' },
      { label: '自有场地', value: '否' },
    ]);
  });

  it('prints nothing the viewer’s values leave out (a hidden field), and nothing without a form', () => {
    expect(formPartFields(form, { drivers: 3 }).map((f) => f.label)).toEqual(['服务司机人数']);
    expect(formPartFields(undefined, { drivers: 3 })).toEqual([]);
    expect(formPartFields(form, undefined)).toEqual([]);
  });
});
