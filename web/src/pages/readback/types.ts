/** What the read-back APIs answer (api/submissions.ts). */
export interface Submitter {
  by: string | null;
  byName: string | null;
  byPost: string | null;
}

export interface PlanVersion extends Submitter {
  version: number;
  plan: { summary: string; measures: string[]; dueDates?: Record<string, string> };
  submittedAt: string;
  submittedAtBeijing: string;
}

export interface PlanHistoryView {
  regionName: string;
  current: PlanVersion | null;
  versions: PlanVersion[];
}

export interface LinkedEnterprise {
  id: number;
  name: string;
  ledgerStatus?: string;
}

export interface ListRevision extends Submitter {
  revision: number;
  submittedAtBeijing: string;
  projects: {
    id?: string;
    kind: string;
    type: string;
    name: string;
    plannedMembers?: number;
    plannedCoverage?: number;
    responsibleUnit: string;
    groupNames?: string[];
    enterprises?: LinkedEnterprise[];
  }[];
}

export interface ProgressReportView extends Submitter {
  no: number;
  atBeijing: string;
  counts: { membersReported: number; membersAccepted: number; alreadyCounted: number; unionsEstablished: number; crossedOff: number; coverage: number };
  unions: { name: string; establishedOn: string; enterpriseName: string | null }[];
  members: { name: string; idNumberMasked: string; groupName: string; employer: string }[];
  note: string | null;
}

export interface AssessmentVersion extends Submitter {
  version: number;
  atBeijing: string;
  summary: string;
  membersRecruited: number;
  unionsEstablished: number;
  coverage: number | null;
}
