/**
 * Which calls of the web app's API client change data, so that every screen
 * and the menu's 待办 and 消息 counts load again after them
 * (web/src/components/fresh.ts): every successful change; not a read, a route
 * preview, a dry run, a print link, or signing in and out.
 */
import { describe, expect, it } from 'vitest';
import { changesData } from '../../web/src/changes';

describe('changesData', () => {
  it('is true for every change an action makes', () => {
    expect(changesData('POST', '/api/tasks/t-1/actions', { action: 'approve' })).toBe(true);
    expect(changesData('POST', '/api/applications/a-1/actions', { action: 'resubmit' })).toBe(true);
    expect(changesData('POST', '/api/campaigns/c-1/advance', { reason: '提前完成' })).toBe(true);
    expect(changesData('POST', '/api/campaigns/c-1/regions/pds-xinhua/projects', { projects: [] })).toBe(true);
    expect(changesData('POST', '/api/tasks/bulk-approve', { taskIds: ['t-1'] })).toBe(true);
    expect(changesData('POST', '/api/notifications/read', { all: true })).toBe(true);
    expect(changesData('PATCH', '/api/users/someone', { active: false })).toBe(true);
    expect(changesData('DELETE', '/api/calendar/2026-10-01?org=pds')).toBe(true);
    expect(changesData('POST', '/api/users/someone/rotate', { dryRun: false })).toBe(true);
  });

  it('is false for reads and for calls that only ask', () => {
    expect(changesData('GET', '/api/tasks?view=todo')).toBe(false);
    expect(changesData('POST', '/api/chains/route-preview', { chain: {} })).toBe(false);
    expect(changesData('POST', '/api/users/someone/rotate', { dryRun: true })).toBe(false);
    expect(changesData('POST', '/api/applications/a-1/print-link')).toBe(false);
    expect(changesData('POST', '/api/reports/r-1/print-link')).toBe(false);
    expect(changesData('POST', '/api/auth/login', { username: 'x', password: 'y' })).toBe(false);
    expect(changesData('POST', '/api/auth/logout')).toBe(false);
  });
});
