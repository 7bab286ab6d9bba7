/**
 * The side effects of establishing a union (workflows/union-establishment.ts):
 * counting it at the higher union's approval, or ending it without counting.
 */
import type { Db } from '../db/knex';
import { completeEstablishment, endEstablishment, establishmentForm } from '../db/union-establishment-repository';

export function createUnionEstablishmentActivities(deps: { db: Db }) {
  const { db } = deps;
  return {
    /**
     * The election approved: the union joins the org tree, the enterprise is crossed off, the project counts
     * it; the election's date and chair as its steps recorded them. Idempotent (a retry answers the first).
     */
    async completeUnionEstablishment(p: { id: string; applicationId: string }) {
      const form = await establishmentForm(db, p.applicationId);
      const electionDate = typeof form.electionDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(form.electionDate) ? form.electionDate : null;
      const chair = typeof form.chair === 'string' && form.chair.trim() ? form.chair.trim() : null;
      return completeEstablishment(db, { id: p.id, electionDate, chair });
    },
    /** Rejected or withdrawn: not counted; the campaign may start that union again. */
    async endUnionEstablishment(p: { id: string; status: 'rejected' | 'withdrawn' }): Promise<void> {
      await endEstablishment(db, p);
    },
  };
}
