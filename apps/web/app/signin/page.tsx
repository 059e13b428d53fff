import { SignInForm } from './SignInForm';

export default async function SignIn({ searchParams }: { searchParams: Promise<{ next?: string; expired?: string }> }) {
  const { next, expired } = await searchParams;
  return (
    <main className="signin panel">
      <h2>Sign in to Spendgraph</h2>
      {expired && <p className="callout">Your key was rejected by the API; sign in again.</p>}
      <p className="muted">Use an API key of your workspace. It is kept in an httpOnly cookie and sent only to the Spendgraph API.</p>
      <SignInForm next={next ?? '/'} />
    </main>
  );
}
