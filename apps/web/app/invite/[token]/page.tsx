// An invitation link: the invitee sets a name and password and joins with the role invited.
// The token is the credential; the API checks it (unknown, used, revoked or expired links fail there).
import { AcceptForm } from './AcceptForm';

export const dynamic = 'force-dynamic';

export default async function Invite({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return (
    <main className="signin panel">
      <h2>Join a Spendgraph workspace</h2>
      <p className="muted">You were invited by link. Choose how you will sign in from now on.</p>
      <AcceptForm token={token} />
    </main>
  );
}
