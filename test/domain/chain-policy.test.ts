import { describe, expect, it } from 'vitest';
import { approveChainChange, proposeChain, readChain, type Principal } from '../../domain/policy';

const who = (username: string, orgPath: string, roles: string[]): Principal => ({ username, orgId: orgPath.split('/').filter(Boolean).pop()!, orgPath, roles });
const provAdmin = who('prov.admin', '/henan/', ['admin']);
const cityAdmin = who('city.admin', '/henan/pds/', ['admin']);
const countyAdmin = who('xinhua.admin', '/henan/pds/pds-xinhua/', ['admin']);
const xcAdmin = who('xc.admin', '/henan/xc/', ['admin']);
const cityReviewer = who('city.reviewer', '/henan/pds/', ['reviewer']);
const PDS = '/henan/pds/';
const XINHUA = '/henan/pds/pds-xinhua/';

describe('who may propose, read and approve a chain change (审批链变更)', () => {
  it('an admin proposes for their own org or below, never above or beside it; a non-admin never', () => {
    expect(proposeChain(cityAdmin, PDS)).toEqual({ allow: true });
    expect(proposeChain(cityAdmin, XINHUA)).toEqual({ allow: true });
    expect(proposeChain(countyAdmin, XINHUA)).toEqual({ allow: true });
    expect(proposeChain(countyAdmin, PDS)).toMatchObject({ allow: false, status: 403 });
    expect(proposeChain(xcAdmin, PDS)).toMatchObject({ allow: false, status: 403 });
    expect(proposeChain(cityReviewer, PDS)).toMatchObject({ allow: false, status: 403 });
  });

  it('chains are read along the line of the tree (above and below), and are unknown (404) beside it', () => {
    expect(readChain(countyAdmin, PDS)).toEqual({ allow: true });
    expect(readChain(cityAdmin, XINHUA)).toEqual({ allow: true });
    expect(readChain(xcAdmin, PDS)).toMatchObject({ allow: false, status: 404 });
  });

  it('a second admin of the owner or above approves; the proposer, an admin below or beside, and a non-admin do not', () => {
    expect(approveChainChange(provAdmin, { ownerOrgPath: PDS, proposer: 'city.admin' })).toEqual({ allow: true });
    expect(approveChainChange(cityAdmin, { ownerOrgPath: XINHUA, proposer: 'xinhua.admin' })).toEqual({ allow: true });
    expect(approveChainChange(cityAdmin, { ownerOrgPath: PDS, proposer: 'city.admin' })).toMatchObject({ allow: false, status: 403 });
    expect(approveChainChange(countyAdmin, { ownerOrgPath: PDS, proposer: 'prov.admin' })).toMatchObject({ allow: false, status: 403 });
    expect(approveChainChange(xcAdmin, { ownerOrgPath: PDS, proposer: 'city.admin' })).toMatchObject({ allow: false, status: 403 });
    expect(approveChainChange(who('city.lead', PDS, ['supervisor']), { ownerOrgPath: PDS, proposer: 'prov.admin' })).toMatchObject({
      allow: false,
      status: 403,
    });
  });
});
