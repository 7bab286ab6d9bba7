/** The landing screen sends each role to where its work is. */
import { useEffect } from 'react';
import { Spin } from 'antd';
import { REGION_KINDS } from '../AppLayout';
import { navigate } from '../router';
import { useSession } from '../session';

export default function Home() {
  const { has, orgKind, orgs } = useSession();
  useEffect(() => {
    if (!orgs.length) return; // wait for the org kind
    if (orgKind && REGION_KINDS.includes(orgKind) && has('staff', 'admin')) navigate('/region', { replace: true });
    else if (has('admin')) navigate('/campaigns', { replace: true });
    else if (has('supervisor')) navigate('/bulletins', { replace: true });
    else if (has('reviewer')) navigate('/tasks', { replace: true });
    else if (orgKind === 'city' || orgKind === 'province') navigate('/campaigns', { replace: true });
    else navigate('/tasks', { replace: true });
  }, [orgs, orgKind, has]);
  return (
    <div style={{ padding: 80, textAlign: 'center' }}>
      <Spin />
    </div>
  );
}
