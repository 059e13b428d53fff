'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';

const TABS: Array<[string, string]> = [['/settings', 'Workspace'], ['/settings/members', 'Members'], ['/settings/keys', 'API keys'], ['/settings/sso', 'SSO'], ['/settings/audit', 'Audit log']];

export function SettingsNav() {
  const path = usePathname();
  return (
    <nav className="settings-nav" aria-label="Settings">
      {TABS.map(([href, label]) => <Link key={href} href={href} aria-current={path === href ? 'page' : undefined}>{label}</Link>)}
    </nav>
  );
}
