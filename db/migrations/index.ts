/**
 * Migrations are listed here explicitly so they load the same way under tsx,
 * vitest and a compiled build (knex's directory scan cannot import .ts files
 * everywhere). Add each new migration to the list, in order.
 */
import type { Knex } from 'knex';
import * as m001 from './001_orgs_and_users';
import * as m002 from './002_approvals';
import * as m003 from './003_calendar_and_chains';
import * as m004 from './004_campaigns';
import * as m005 from './005_campaign_chains';
import * as m006 from './006_bulletins';
import * as m007 from './007_campaign_view_index';
import * as m008 from './008_group_unions_by_city';
import * as m009 from './009_chain_owners';
import * as m013 from './013_sessions_and_limits';
import * as m016 from './016_task_org_path';
import * as m017 from './017_pii_rotations';
import * as m018 from './018_public_join';
import * as m019 from './019_membership_lookups';
import * as m020 from './020_retention_and_reveal_audit';
import * as m021 from './021_member_cards';
import * as m022 from './022_admin_audit';
import * as m023 from './023_user_posts';
import * as m024 from './024_org_admin';
import * as m025 from './025_calendar_overrides';
import * as m026 from './026_deputies';
import * as m029 from './029_task_fields';
import * as m030 from './030_attachments';
import * as m031 from './031_task_decided_by';
import * as m032 from './032_notification_links';
import * as m033 from './033_union_establishments';
import * as m034 from './034_member_verification';
import * as m035 from './035_campaign_plans';
import * as m036 from './036_province_bulletins';
import * as m037 from './037_rectifications';
import * as m038 from './038_submission_history';

const migrations: Record<string, Knex.Migration> = {
  '001_orgs_and_users': m001,
  '002_approvals': m002,
  '003_calendar_and_chains': m003,
  '004_campaigns': m004,
  '005_campaign_chains': m005,
  '006_bulletins': m006,
  '007_campaign_view_index': m007,
  '008_group_unions_by_city': m008,
  '009_chain_owners': m009,
  '013_sessions_and_limits': m013,
  '016_task_org_path': m016,
  '017_pii_rotations': m017,
  '018_public_join': m018,
  '019_membership_lookups': m019,
  '020_retention_and_reveal_audit': m020,
  '021_member_cards': m021,
  '022_admin_audit': m022,
  '023_user_posts': m023,
  '024_org_admin': m024,
  '025_calendar_overrides': m025,
  '026_deputies': m026,
  '029_task_fields': m029,
  '030_attachments': m030,
  '031_task_decided_by': m031,
  '032_notification_links': m032,
  '033_union_establishments': m033,
  '034_member_verification': m034,
  '035_campaign_plans': m035,
  '036_province_bulletins': m036,
  '037_rectifications': m037,
  '038_submission_history': m038,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: () => Promise.resolve(Object.keys(migrations)),
  getMigrationName: (name) => name,
  getMigration: (name) => {
    const m = migrations[name];
    if (!m) return Promise.reject(new Error(`unknown migration ${name}`));
    return Promise.resolve(m);
  },
};
