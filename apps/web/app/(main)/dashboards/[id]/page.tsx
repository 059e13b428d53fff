// One dashboard: its tiles (each a shared saved view, drawn from the API's figures), the editor,
// "Pin as overview" and "Share as embed".
import { notFound } from 'next/navigation';
import { ApiErrors } from '@/components/ApiErrors';
import { ConfirmSubmit } from '@/components/ConfirmSubmit';
import { DashboardEditor } from '@/components/DashboardForms';
import { DashboardTiles } from '@/components/DashboardTiles';
import { EmbedShareIfAllowed } from '@/components/EmbedShareIfAllowed';
import { gql } from '@/lib/api';
import { DashboardDocument } from '@/lib/graphql/operations';
import { allows, getMe } from '@/lib/me';
import { deleteDashboard, pinDashboard } from '../../views/actions';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function DashboardPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  const [res, me] = await Promise.all([
    gql(DashboardDocument, { id }),
    getMe(),
  ]);
  if (!res.ok) return <><h2>Dashboard</h2><ApiErrors errors={res.errors} /></>;
  const d = res.data.dashboard;
  if (!d) notFound();
  const manage = allows(me, 'views:manage');
  return (
    <>
      <h2 data-testid="dashboard-name">{d.name}{d.pinned && <> <span className="badge">overview</span></>}</h2>
      {manage && (
        <div className="toolbar">
          <form action={pinDashboard}>
            <input type="hidden" name="id" value={d.id} /><input type="hidden" name="pinned" value={String(!d.pinned)} />
            <button type="submit" data-testid="pin-dashboard">{d.pinned ? 'Unpin from the overview' : 'Pin as overview'}</button>
          </form>
          <form action={deleteDashboard}><input type="hidden" name="id" value={d.id} /><ConfirmSubmit label="Delete dashboard" question={`Delete the dashboard ${d.name}? Its views stay.`} /></form>
        </div>
      )}
      <DashboardTiles tiles={d.tiles} />
      <EmbedShareIfAllowed dashboard={{ id: d.id, name: d.name }} />
      {manage && (
        <DashboardEditor key={JSON.stringify(d.tiles.map((t) => [t.view.id, t.size]))} id={d.id} name={d.name}
          tiles={d.tiles.map((t) => ({ viewId: t.view.id, size: t.size }))} views={res.data.savedViews.filter((v) => v.shared)} />
      )}
    </>
  );
}
