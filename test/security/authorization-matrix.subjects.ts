/**
 * Subjects for the authorization matrix: each factory builds a fresh thing
 * to act on (a subsidy at the city review, a membership application at its
 * identity review 身份审核, campaigns in each phase) through the real API, so
 * that an allowed mutating case consumes a subject of its own and no case
 * depends on another.
 */
import { expect } from 'vitest';
import { Approvals } from '../support/approvals';
import { buildLaunch, CampaignDriver, organizingProject } from '../support/campaigns';
import { buildMember, buildSubsidy } from '../support/factories';
import { eventually, type Harness } from '../support/harness';

/** An application waiting on one task. */
export interface TaskSubject {
  appId: string;
  taskId: string;
}

/** A membership application (网上入会) with the phone it was filed with. */
export interface MemberSubject extends TaskSubject {
  phone: string;
}

/** A campaign of 平顶山 with 新华区 (pds-xinhua) as its one region, and its approved projects when it has any. */
export interface CampaignSubject {
  id: string;
  region: string;
  projects: string[];
}

/** The region every campaign subject runs in: 新华区. */
export const REGION = 'pds-xinhua';

export class Subjects {
  readonly a: Approvals;
  readonly d: CampaignDriver;

  constructor(readonly h: Harness) {
    this.a = new Approvals(h);
    this.d = new CampaignDriver(h);
  }

  /** 经费补助: a subsidy of 新华区 (filed by xinhua.staff) waiting at the city review (市总初审), a task of pds's reviewers. */
  async subsidyAtCityReview(body = buildSubsidy()): Promise<TaskSubject> {
    const appId = await this.a.start('xinhua.staff', body);
    const task = await this.a.task('city.reviewer', appId, 0);
    return { appId, taskId: task.id };
  }

  /** The same subsidy after city.reviewer approved it: waiting at the province review (省总审核), a task of henan's reviewers. */
  async subsidyAtProvinceReview(): Promise<TaskSubject> {
    const { appId } = await this.subsidyAtCityReview();
    await this.a.approve('city.reviewer', appId);
    const task = await this.a.task('prov.reviewer', appId, 1);
    return { appId, taskId: task.id };
  }

  /**
   * 网上入会: a courier's application in 新华区, filed without an account;
   * sorted to 新华区快递行业工会联合会 (pds-xinhua-express), whose reviewer
   * passes the initial review. Waits at the identity review, the step that
   * shows full personal data.
   */
  async membershipAtIdentityReview(): Promise<MemberSubject> {
    const body = buildMember({ area: REGION, group: 'courier' });
    const appId = await this.a.start(null, body);
    await this.a.approve('xinhua-express.reviewer', appId);
    const task = await this.a.task('xinhua-express.reviewer', appId, 3);
    return { appId, taskId: task.id, phone: body.phone };
  }

  /** A membership application just filed (for the public status look-up). */
  async membershipFiled(): Promise<{ appId: string; phone: string; reference: string; viewerToken: string }> {
    const body = buildMember({ area: REGION, group: 'courier' });
    const r = await this.a.create(null, body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return { appId: r.body.id, phone: body.phone, reference: r.body.reference, viewerToken: r.body.viewerToken };
  }

  /** A campaign of pds for 新华区 alone, launched by city.admin, in its survey phase (调查摸底). */
  async surveyCampaign(reportEvery = 'P60D'): Promise<CampaignSubject> {
    const { id } = await this.d.launch(buildLaunch({ regions: [REGION], targets: { newMembers: 10 }, reportEvery }));
    await this.d.waitForPhase(id, 'survey');
    return { id, region: REGION, projects: [] };
  }

  /** …advanced to its listing phase (立项审核). */
  async listingCampaign(reportEvery?: string): Promise<CampaignSubject> {
    const c = await this.surveyCampaign(reportEvery);
    await this.d.advance(c.id, '摸底完成，进入立项');
    await this.d.waitForPhase(c.id, 'listing');
    return c;
  }

  /** …with `n` organizing projects listed by xinhua.staff and approved by the city and the province, advanced to implementation (推进实施). */
  async implementationCampaign(n: number): Promise<CampaignSubject> {
    // A bulletin period (通报周期) that fits the phase, so its schedule exists, but whose first run falls after this file has finished.
    const c = await this.listingCampaign('PT50M');
    const list = await this.d.projects(
      c.id,
      REGION,
      Array.from({ length: n }, () => organizingProject()),
    );
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    await this.d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
    await this.d.act('prov.reviewer', list.body.applicationId, { action: 'approve' });
    await eventually(async () => (await this.d.projectsOf(c.id)).filter((p) => p.status === 'approved').length === n);
    await this.d.advance(c.id, '项目已批复，进入实施');
    await this.d.waitForPhase(c.id, 'implementation');
    const projects = await eventually(async () => {
      const ps = await this.d.projectsOf(c.id);
      return ps.length === n && ps.every((p) => p.status === 'in_progress') ? ps.map((p) => p.id as string) : undefined;
    }, 30_000);
    // The bulletin schedule (通报计划) is created when implementation opens.
    const token = await this.h.login('city.admin');
    await eventually(async () => (await this.h.call('GET', `/api/campaigns/${c.id}/reports/schedule`, { token })).status === 200);
    return { ...c, projects };
  }

  /** …advanced once more, to its assessment phase (考核评比). */
  async assessmentCampaign(n: number): Promise<CampaignSubject> {
    const c = await this.implementationCampaign(n);
    await this.d.advance(c.id, '进入年终考核');
    await this.d.waitForPhase(c.id, 'assessment');
    return c;
  }

  /** A bulletin (通报) of the campaign, issued by city.admin. */
  /**
   * 整改事项: a rectification item on the project, opened by city.staff's inspection (a finding with a deadline);
   * `reported`, then reported done by xinhua.staff (awaiting the city's acceptance).
   */
  async rectification(projectId: string, state: 'open' | 'reported'): Promise<string> {
    const text = `矩阵检查发现 ${Math.random().toString(36).slice(2, 10)} / matrix finding`;
    const r = await this.h.call('POST', `/api/projects/${projectId}/inspections`, {
      token: await this.h.login('city.staff'),
      body: {
        findings: '矩阵检查 / matrix inspection',
        result: 'problem',
        inspectedOn: '2026-06-15',
        items: [{ text, severity: 'major', deadline: '2026-12-31' }],
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const id = await eventually(async () => {
      const row = await this.h.db('rectifications').where({ project_id: projectId, finding: text }).first<{ id: string } | undefined>('id');
      return row ? String(row.id) : undefined;
    });
    if (state === 'reported') {
      const rep = await this.h.call('POST', `/api/rectifications/${id}/report`, { token: await this.h.login('xinhua.staff'), body: { note: '已整改 / done' } });
      expect(rep.status, JSON.stringify(rep.body)).toBe(200);
    }
    return id;
  }

  async bulletin(campaignId: string): Promise<string> {
    const r = await this.h.call('POST', `/api/campaigns/${campaignId}/reports`, { token: await this.h.login('city.admin') });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  }
}

/** Hands out pre-built subjects one at a time; a case that would need more than were built fails loudly. */
export class Pool<T> {
  private next = 0;
  constructor(
    readonly name: string,
    private readonly items: T[],
  ) {}
  take(): T {
    const item = this.items[this.next++];
    if (item === undefined) throw new Error(`subject pool ${this.name} is empty (${this.items.length} built)`);
    return item;
  }
}
