// The demo's person: owner of the demo workspace, signing in by e-mail and password. A new
// password each run (printed by seed-cli), so a demo left running has no well-known password.
import { randomBytes } from 'node:crypto';
import { type Pool, addMembership, createUser, findUserByEmail, setPassword } from '@spendgraph/db';

export const DEMO_EMAIL = 'demo@example.com';

export async function ensureDemoUser(pool: Pool, workspaceId: string): Promise<{ email: string; password: string }> {
  const password = randomBytes(12).toString('base64url');
  const existing = await findUserByEmail(pool, DEMO_EMAIL);
  const user = existing ?? (await createUser(pool, { email: DEMO_EMAIL, name: 'Demo owner', password }));
  if (existing) await setPassword(pool, existing.id, password);
  await addMembership(pool, { userId: user.id, workspaceId, role: 'owner' });
  return { email: DEMO_EMAIL, password };
}
