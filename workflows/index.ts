/** The worker's single workflowsPath: every workflow, by name. */
export { approvalWorkflow, actUpdate, getApplicationQuery, migrateUpdate } from './approval-chain';
export { campaignWorkflow, advancePhaseUpdate, getCampaignQuery } from './campaign';
export { regionCampaignWorkflow, submitPlanUpdate, submitProjectListUpdate, getRegionQuery } from './region-campaign';
export {
  projectWorkflow,
  reportProgressUpdate,
  recordInspectionUpdate,
  submitSelfAssessmentUpdate,
  getProjectQuery,
  returnPlanEntryUpdate,
  revisePlanEntryUpdate,
} from './project';
export { bulletinWorkflow, bulletinDeliveryWorkflow } from './bulletin';
export { provinceBulletinWorkflow } from './province-bulletin';
export { bulkActionWorkflow, bulkProgressQuery } from './bulk-action';
export { retentionWorkflow } from './retention';
export { unionEstablishmentWorkflow } from './union-establishment';
