/**
 * 建会程序 as `GET /api/projects/:id` shows it (`unions`): each establishment
 * of the project with its steps, who decided each and when, the fields its
 * steps recorded and its documents. Kept apart from the router
 * (api/union-establishments.ts) so the campaign routes can use it.
 */
import type { Db } from '../db/knex';
import { establishmentProgress, listEstablishments, type EstablishmentRow } from '../db/union-establishment-repository';
import { getChainVersion } from '../db/chain-repository';
import { UNION_ESTABLISHMENT_CHAIN } from '../domain/builtin-chains';
import type { Step } from '../domain/chain';
import { ESTABLISHMENT_STATUS_LABELS, establishmentSteps, UNION_KIND_LABELS, type EstablishmentStatus } from '../domain/union-establishment';
import { lookupNames } from './names';

export async function establishmentView(db: Db, row: EstablishmentRow, p: { id: string }) {
  const [view] = await unionsOfProject(db, p.id, [row]);
  return view;
}

/**
 * The project's establishments as `GET /api/projects/:id` shows them: each
 * union's kind, enterprise, status, the fields its steps recorded (the
 * election's date and chair among them), the org it became, and its steps in
 * order — each with its state, who decided it and when (by name), and its
 * documents (the attachments on that step's task).
 */
export async function unionsOfProject(db: Db, projectId: string, only?: EstablishmentRow[]) {
  const rows = only ?? (await listEstablishments(db, projectId));
  if (!rows.length) return [];
  const progress = await establishmentProgress(
    db,
    rows.map((r) => r.applicationId).filter((x): x is string => !!x),
  );
  const chains = new Map<string, readonly Step[]>();
  for (const a of progress.applications) {
    const chain = await getChainVersion(db, a.chainKey, a.chainOwner, a.chainVersion);
    chains.set(a.id, chain?.steps ?? UNION_ESTABLISHMENT_CHAIN.steps);
  }
  const users = [
    ...rows.map((r) => r.startedBy),
    ...progress.tasks.map((t) => t.decidedBy),
    ...progress.tasks.map((t) => t.assignee),
    ...progress.attachments.map((a) => a.uploadedBy),
  ];
  const book = await lookupNames(db, { users, orgs: rows.map((r) => r.orgId) });
  const nameOf = (u: string | null) => (u ? (book.people.get(u)?.name ?? null) : null);
  return rows.map((r) => {
    const app = progress.applications.find((a) => a.id === r.applicationId);
    const tasks = progress.tasks.filter((t) => t.applicationId === r.applicationId);
    const docs = progress.attachments.filter((a) => a.applicationId === r.applicationId);
    const form = (app?.payload?.form ?? {}) as Record<string, unknown>;
    const steps = establishmentSteps(chains.get(r.applicationId ?? '') ?? UNION_ESTABLISHMENT_CHAIN.steps, tasks, app?.status ?? null).map((s) => {
      const stepTasks = new Set(tasks.filter((t) => t.stepIndex === s.index).map((t) => t.id));
      const pending = tasks.find((t) => t.stepIndex === s.index && t.status === 'pending');
      return {
        ...s,
        decidedByName: nameOf(s.decidedBy),
        holderName: pending ? nameOf(pending.assignee) : null,
        values: Object.fromEntries(s.fields.map((f) => [f, form[f] ?? null])),
        documents: docs
          .filter((d) => d.taskId && stepTasks.has(d.taskId))
          .map((d) => ({ id: d.id, name: d.name, size: d.size, uploadedByName: nameOf(d.uploadedBy), uploadedAt: d.uploadedAt })),
      };
    });
    return {
      id: r.id,
      name: r.name,
      kind: r.kind,
      kindName: UNION_KIND_LABELS[r.kind],
      enterprise: r.enterpriseId === null ? null : { id: r.enterpriseId, name: r.enterpriseName },
      status: r.status,
      statusName: ESTABLISHMENT_STATUS_LABELS[r.status as EstablishmentStatus] ?? r.status,
      counted: r.status === 'established',
      source: r.source,
      reports: r.reports,
      claimedOn: r.claimedOn,
      startedByName: nameOf(r.startedBy),
      startedAt: r.createdAt,
      applicationId: r.applicationId,
      applicationStatus: app?.status ?? null,
      electionDate: r.electionDate ?? (typeof form.electionDate === 'string' ? form.electionDate : null),
      chair: r.chair ?? (typeof form.chair === 'string' ? form.chair : null),
      form,
      org: r.orgId ? { id: r.orgId, name: book.orgs.get(r.orgId) ?? r.name } : null,
      establishedAt: r.establishedAt,
      steps,
      documents: docs
        .filter((d) => !d.taskId)
        .map((d) => ({ id: d.id, name: d.name, size: d.size, uploadedByName: nameOf(d.uploadedBy), uploadedAt: d.uploadedAt })),
    };
  });
}
