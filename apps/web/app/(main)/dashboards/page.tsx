// Dashboards of the workspace, the one pinned as the overview first; a new one from shared views.
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { NewDashboard } from '@/components/DashboardForms';
import { gql } from '@/lib/api';
import { DashboardsDocument } from '@/lib/graphql/operations';
import { allows, getMe } from '@/lib/me';

export default async function Dashboards() {
  const [res, me] = await Promise.all([
    gql(DashboardsDocument),
    getMe(),
  ]);
  if (!res.ok) return <><h2>Dashboards</h2><ApiErrors errors={res.errors} /></>;
  const { dashboards, savedViews } = res.data;
  return (
    <>
      <h2>Dashboards</h2>
      {dashboards.length ? (
        <ul data-testid="dashboards" className="link-list">
          {dashboards.map((d) => (
            <li key={d.id} data-testid="dashboard-row" data-name={d.name}>
              <Link href={`/dashboards/${d.id}`}>{d.name}</Link> <span className="muted">{d.tiles.length} tile{d.tiles.length === 1 ? '' : 's'}</span>
              {d.pinned && <> <span className="badge">overview</span></>}
            </li>
          ))}
        </ul>
      ) : <p className="empty">No dashboards yet.</p>}
      {allows(me, 'views:manage') && <NewDashboard views={savedViews.filter((v) => v.shared)} />}
    </>
  );
}
