import { SignInForm } from './SignInForm';
import { SsoSignIn } from './SsoSignIn';

export default async function SignIn({ searchParams }: { searchParams: Promise<{ next?: string; expired?: string }> }) {
  const { next, expired } = await searchParams;
  return (
    <main className="signin panel">
      <h2>Sign in to Spendgraph</h2>
      {expired && <p className="callout">Your key was rejected by the API; sign in again.</p>}
      <p className="muted">Use an API key of your workspace. It is sent only to the Spendgraph API, which opens a session; your browser keeps the session, not the key.</p>
      <SignInForm next={next ?? '/'} />
      <SsoSignIn />
    </main>
  );
}
