// Members and invitations. Everyone sees who is in the workspace; owners and admins invite,
// change roles, remove and revoke (only an owner gives or takes the owner role: the API decides).
import { ApiErrors } from '@/components/ApiErrors';
import { CommandForm, InviteForm } from '@/components/SettingsForms';
import { gql } from '@/lib/api';
import { formatTime } from '@/lib/format';
import { allows, getMe } from '@/lib/me';
import { MembersDocument, type MembersQuery } from '@/lib/graphql/operations';

const ROLES = ['owner', 'admin', 'analyst', 'viewer'];
type Invitation = NonNullable<MembersQuery['invitations']>[number];

function invitationState(i: Invitation) {
  if (i.acceptedAt) return 'accepted';
  if (i.revokedAt) return 'revoked';
  return Date.parse(i.expiresAt) < Date.now() ? 'expired' : 'open';
}

export default async function Members() {
  const me = await getMe();
  const manage = allows(me, 'members:manage');
  const res = await gql(MembersDocument, { manage });
  if (!res.ok) return <ApiErrors errors={res.errors} />;
  const { members, invitations = [] } = res.data;
  return (
    <>
      <section className="panel scroll" style={{ marginBottom: 16 }}>
        <h3>Members</h3>
        <table data-testid="members">
          <thead><tr><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Since</th>{manage && <th scope="col">Actions</th>}</tr></thead>
          <tbody>{members.map((m) => (
            <tr key={m.userId} data-email={m.email}>
              <td>{m.name ?? '—'} {m.disabled && <span className="badge error">disabled</span>}</td><td>{m.email}</td>
              <td><span className="badge">{m.role}</span></td><td>{formatTime(m.createdAt)}</td>
              {manage && <td>
                <CommandForm command="changeMemberRole" id={m.userId} label="Change role">
                  <select name="role" defaultValue={m.role} aria-label={`Role of ${m.email}`}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select>
                </CommandForm>{' '}
                {m.userId !== me?.person?.id && <CommandForm command="removeMember" id={m.userId} label="Remove" ariaLabel={`Remove ${m.email}`} />}
              </td>}
            </tr>
          ))}</tbody>
        </table>
      </section>
      {manage && <section className="panel scroll">
        <h3>Invitations</h3>
        <InviteForm canInviteOwner={me?.role === 'owner' || (!me?.person && allows(me, 'keys:manage'))} />
        {invitations.length === 0 ? <p className="empty">No invitations yet.</p> : (
          <table data-testid="invitations">
            <thead><tr><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Expires</th><th scope="col" /></tr></thead>
            <tbody>{invitations.map((i) => {
              const state = invitationState(i);
              return (
                <tr key={i.id} data-email={i.email}>
                  <td>{i.email}</td><td>{i.role}</td><td><span className={`badge ${state === 'open' ? 'ok' : ''}`}>{state}</span></td><td>{formatTime(i.expiresAt)}</td>
                  <td>{state === 'open' && <CommandForm command="revokeInvitation" id={i.id} label="Revoke" ariaLabel={`Revoke invitation of ${i.email}`} />}</td>
                </tr>
              );
            })}</tbody>
          </table>
        )}
      </section>}
    </>
  );
}
