import { redirect } from 'next/navigation';
import { firstRunOpen } from '@/lib/api';
import { KeySignInForm, SignInForm } from './SignInForm';
import { SsoSignIn } from './SsoSignIn';

export const dynamic = 'force-dynamic';

export default async function SignIn({ searchParams }: { searchParams: Promise<{ next?: string; expired?: string }> }) {
  // An install nobody owns yet starts with its first run.
  if (await firstRunOpen()) redirect('/setup');
  const { next, expired } = await searchParams;
  return (
    <main className="signin panel">
      <h2>Sign in to Spendgraph</h2>
      {expired && <p className="callout">Your session ended; sign in again.</p>}
      <SignInForm next={next ?? '/'} />
      <div className="signin-alt" data-testid="signin-alternatives"><SsoSignIn /></div>
      <details className="signin-key">
        <summary>Sign in with an API key (machines, the demo)</summary>
        <p className="muted">The key is sent only to the Spendgraph API, which opens a session; your browser keeps the session, not the key.</p>
        <KeySignInForm next={next ?? '/'} />
      </details>
    </main>
  );
}
