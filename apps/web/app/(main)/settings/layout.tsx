import { SettingsNav } from '@/components/SettingsNav';

export default function SettingsLayout({ children }: { children: React.ReactNode }) {
  return <><h2>Settings</h2><SettingsNav />{children}</>;
}
