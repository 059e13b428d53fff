// Saved views: the workspace's shared ones and the signed-in person's (or key's) private ones;
// open one in the explorer, rename, share or unshare, delete.
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { ConfirmSubmit } from '@/components/ConfirmSubmit';
import { gql } from '@/lib/api';
import { SavedViewsDocument } from '@/lib/graphql/operations';
import { allows, getMe } from '@/lib/me';
import { rangeName } from '@/lib/query-state';
import { viewHref, viewRange } from '@/lib/views';
import { ViewEdit } from '@/components/ViewEdit';
import { deleteView } from './actions';

export default async function Views() {
  const [res, me] = await Promise.all([gql(SavedViewsDocument), getMe()]);
  const manage = allows(me, 'views:manage');
  return (
    <>
      <h2>Saved views</h2>
      <p className="muted">Save any explorer view with “Save view”; put shared views on a <Link href="/dashboards">dashboard</Link>.</p>
      {!res.ok ? <ApiErrors errors={res.errors} /> : !res.data.savedViews.length ? <p className="empty">No saved views yet: open the <Link href="/explore">explorer</Link> and save one.</p> : (
        <table data-testid="views-table">
          <thead><tr><th scope="col">View</th><th scope="col">What</th><th scope="col">Shared</th>{manage && <th scope="col">Change</th>}</tr></thead>
          <tbody>
            {res.data.savedViews.map((v) => (
              <tr key={v.id} data-testid="view-row" data-id={v.id} data-name={v.name}>
                <td><Link href={viewHref(v.state)}>{v.name}</Link></td>
                <td className="muted">{v.state.measures.join(', ')}{v.state.by.length ? ` by ${v.state.by.join(', ')}` : ''} · {rangeName(viewRange(v.state.timeRange))} · {v.state.chart}</td>
                <td>{v.shared ? 'workspace' : 'only you'}</td>
                {manage && <td>{v.mine && (
                  <div className="toolbar" style={{ marginBottom: 0 }}>
                    <ViewEdit id={v.id} name={v.name} shared={v.shared} />
                    <form action={deleteView}><input type="hidden" name="id" value={v.id} /><ConfirmSubmit label="Delete" ariaLabel={`Delete ${v.name}`} question={`Delete the view ${v.name}? It leaves every dashboard.`} /></form>
                  </div>
                )}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
