import Link from 'next/link';
import { signOut } from '../signin/actions';

const LINKS: Array<[string, string]> = [
  ['/', 'Overview'], ['/explore', 'Explorer'], ['/events', 'Event log'], ['/plans', 'Plans'], ['/budgets', 'Budgets'],
  ['/anomalies', 'Anomalies'], ['/reports', 'Morning reports'], ['/customers', 'Customers'], ['/features', 'Features'],
];

export default function MainLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="shell">
      <nav className="nav" aria-label="Main">
        <h1>Spendgraph</h1>
        <ul>{LINKS.map(([href, label]) => <li key={href}><Link href={href}>{label}</Link></li>)}</ul>
        <form action={signOut} style={{ marginTop: 16 }}><button type="submit">Sign out</button></form>
      </nav>
      <main>{children}</main>
    </div>
  );
}
