// First run: shown only while the install has no owner; afterwards it sends you to sign in.
import { redirect } from 'next/navigation';
import { firstRunOpen } from '@/lib/api';
import { SetupForm } from './SetupForm';

export const dynamic = 'force-dynamic';

export default async function Setup() {
  if (!(await firstRunOpen())) redirect('/signin');
  return (
    <main className="signin panel">
      <h2>Set up Spendgraph</h2>
      <p className="muted">Nobody owns this install yet. Create your organization and its first workspace; you become its owner and can invite your team next.</p>
      <SetupForm />
    </main>
  );
}
