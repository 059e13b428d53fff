// API keys, for machines (ingest, SDK, OTLP, proxy, collectors, BI tools): create (shown once),
// list, revoke, rotate with an overlap. Owners and admins only; the page says so to the others.
import { ApiErrors } from '@/components/ApiErrors';
import { CommandForm, KeyForm, RotateForm } from '@/components/SettingsForms';
import { gql } from '@/lib/api';
import { formatTime } from '@/lib/format';
import { allows, getMe } from '@/lib/me';
import { ApiKeysDocument } from '@/lib/graphql/operations';

export default async function Keys() {
  if (!allows(await getMe(), 'keys:manage')) return <section className="panel"><p className="empty">Only owners and admins manage API keys.</p></section>;
  const res = await gql(ApiKeysDocument);
  if (!res.ok) return <ApiErrors errors={res.errors} />;
  const { apiKeys, meta } = res.data;
  return (
    <>
      <section className="panel" style={{ marginBottom: 16 }}>
        <h3>New key</h3>
        <KeyForm dimensions={meta.dimensions.filter((d) => d.type === 'string')} />
      </section>
      <section className="panel scroll">
        <h3>Keys</h3>
        {apiKeys.length === 0 ? <p className="empty">No keys yet.</p> : (
          <table data-testid="api-keys">
            <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Scopes</th><th scope="col">Restriction</th><th scope="col">Created by</th>
              <th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col" /></tr></thead>
            <tbody>{apiKeys.map((k) => (
              <tr key={k.id} data-key-prefix={k.prefix}>
                <td>{k.name}</td><td><code>{k.prefix}…</code></td><td>{k.scopes.join(', ')}</td>
                <td>{k.restriction.map((r) => `${r.dimension} = ${r.value}`).join(', ') || '—'}</td>
                <td>{k.createdBy ? k.createdBy.name ?? k.createdBy.email : '—'}</td>
                <td>{k.lastUsedAt ? formatTime(k.lastUsedAt) : 'never'}</td><td>{k.expiresAt ? formatTime(k.expiresAt) : 'never'}</td>
                <td><span className={`badge ${k.active ? 'ok' : ''}`}>{k.revokedAt ? 'revoked' : k.active ? (k.rotatedTo ? 'rotated, overlap' : 'active') : 'expired'}</span></td>
                <td>{k.active && <>
                  <RotateForm id={k.id} name={k.name} />
                  <CommandForm command="revokeApiKey" id={k.id} label="Revoke" ariaLabel={`Revoke ${k.name} (${k.prefix})`} />
                </>}</td>
              </tr>
            ))}</tbody>
          </table>
        )}
      </section>
    </>
  );
}
