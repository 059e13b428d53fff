import Link from 'next/link';
import { NotificationBell } from '@/components/NotificationBell';
import { ThemeToggle } from '@/components/ThemeToggle';
import { WorkspaceSwitcher } from '@/components/WorkspaceSwitcher';
import { displayCurrency } from '@/lib/format';
import { getMe } from '@/lib/me';
import { signOut } from '../signin/actions';

const LINKS: Array<[string, string]> = [
  ['/', 'Overview'], ['/me', 'My cost'], ['/explore', 'Explorer'], ['/views', 'Saved views'], ['/dashboards', 'Dashboards'], ['/events', 'Event log'], ['/plans', 'Plans'], ['/budgets', 'Budgets'],
  ['/anomalies', 'Anomalies'], ['/alerts', 'Alert rules'], ['/reconciliation', 'Reconciliation'], ['/profitability', 'Profitability'], ['/savings', 'Savings'], ['/reports', 'Morning reports'],
  ['/customers', 'Customers'], ['/features', 'Features'], ['/users', 'Users'], ['/models', 'Models'], ['/agents', 'Agents'],
  ['/onboarding', 'Send data'], ['/settings', 'Settings'],
];

export default async function MainLayout({ children }: { children: React.ReactNode }) {
  const me = await getMe();
  const current = me?.workspaces.find((w) => w.workspaceId === me.workspaceId);
  // One overview across the organization's workspaces, for whoever belongs to more than one of them.
  const inOrganization = me ? me.workspaces.filter((w) => w.organizationId === me.organizationId).length : 0;
  const links: Array<[string, string]> = inOrganization > 1 ? [LINKS[0]!, ['/organization', 'Organization'], ...LINKS.slice(1)] : LINKS;
  return (
    <div className="shell">
      <nav className="nav" aria-label="Main">
        <h1>Spendgraph</h1>
        {me && me.workspaces.length > 1 && <WorkspaceSwitcher current={me.workspaceId} workspaces={me.workspaces} />}
        {me && me.workspaces.length <= 1 && current && <p className="muted" data-testid="workspace-name">{current.name}</p>}
        {me && <p className="muted" data-testid="reporting-currency" title="The workspace's reporting currency: every figure is converted to it">Figures in {displayCurrency()}</p>}
        {me && <NotificationBell />}
        <ul>{links.map(([href, label]) => <li key={href}><Link href={href}>{label}</Link></li>)}</ul>
        <p className="muted" data-testid="signed-in-as" style={{ marginTop: 16 }}>
          {me?.person ? <>{me.person.name ?? me.person.email}<br /><span className="badge">{me.role}</span></> : me ? 'Signed in with an API key' : null}
        </p>
        <ThemeToggle />
        <form action={signOut}><button type="submit">Sign out</button></form>
      </nav>
      <main>{children}</main>
    </div>
  );
}
