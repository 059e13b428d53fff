// Single sign-on of the organization (OpenID Connect: apps/api/src/sso/). Only people who may
// manage it (sso:manage) see the connection and change it; the API stays the gate.
import { ApiErrors } from '@/components/ApiErrors';
import { SsoForm } from '@/components/SsoForm';
import { gql } from '@/lib/api';
import { formatTime } from '@/lib/format';
import { allows, getMe } from '@/lib/me';
import { SsoSettingsDocument } from '@/lib/graphql/operations';
import { redirectUriOfPage } from '@/app/signin/sso/sso';

export default async function SsoSettings() {
  const me = await getMe();
  if (!me || !allows(me, 'sso:manage')) return <section className="panel"><p className="empty">Only owners and admins manage single sign-on.</p></section>;
  const res = await gql(SsoSettingsDocument);
  if (!res.ok) return <ApiErrors errors={res.errors} />;
  const c = res.data.ssoConnection;
  // People join only workspaces of this organization the signed-in person administers (a key: its own).
  const workspaces = me.person
    ? me.workspaces.filter((w) => w.organizationId === me.organizationId && (w.role === 'owner' || w.role === 'admin'))
    : [{ workspaceId: me.workspaceId, ...res.data.workspace }];
  return (
    <section className="panel">
      <h3>Single sign-on (OpenID Connect) {c && <span className={`badge ${c.enabled ? 'ok' : ''}`} data-testid="sso-state">{c.enabled ? 'enabled' : 'disabled'}</span>}</h3>
      <p className="muted">
        People whose e-mail is at one of the domains sign in at your identity provider (Google Workspace, Okta, Entra ID, Keycloak, …)
        and join the chosen workspaces with the default role on their first sign-in.
        {c ? ` Last changed ${formatTime(c.updatedAt)}.` : ' No connection yet.'}
      </p>
      <p>Redirect URI to register at the provider: <code data-testid="sso-redirect-uri">{await redirectUriOfPage()}</code></p>
      <SsoForm stored={c && { ...c, domains: c.domains.join(', ') }} workspaces={workspaces} />
    </section>
  );
}
