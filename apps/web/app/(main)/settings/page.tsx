// Workspace settings: name, time zone, currency, raw retention. Everyone sees them; owners and
// admins change them (the API refuses anyone else and records each change in the audit log).
import { ApiErrors } from '@/components/ApiErrors';
import { WorkspaceForm } from '@/components/SettingsForms';
import { gql } from '@/lib/api';
import { allows, getMe } from '@/lib/me';
import { WorkspaceSettingsDocument } from '@/lib/graphql/operations';

export default async function WorkspaceSettings() {
  const [res, me] = await Promise.all([gql(WorkspaceSettingsDocument), getMe()]);
  if (!res.ok) return <ApiErrors errors={res.errors} />;
  const canEdit = allows(me, 'workspace:manage') && allows(me, 'retention:manage');
  return (
    <section className="panel">
      <h3>Workspace <span className="muted">({res.data.workspace.slug})</span></h3>
      {!canEdit && <p className="muted">Only owners and admins change these settings.</p>}
      <WorkspaceForm values={res.data.workspace} canEdit={canEdit} />
    </section>
  );
}
