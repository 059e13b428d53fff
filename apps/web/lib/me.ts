// Who is signed in, once per request (the layout and the page share it): a person with their
// role, workspaces and permissions, or a key. Pages hide what the permissions do not allow;
// the API stays the gate.
import { cache } from 'react';
import { redirect } from 'next/navigation';
import { signedIn, signedInKey } from './api';
import type { MeQuery } from './graphql/operations';

export type Me = MeQuery['me'];

export const getMe = cache(async (): Promise<Me | null> => {
  const res = await signedIn(await signedInKey());
  if (res.status === 401) redirect('/signin?expired=1');
  return res.ok ? res.data.me : null;
});

export const allows = (me: Me | null, permission: string) => !!me?.permissions.includes(permission);
