// Who is signed in, once per request (the layout and the page share it): a person with their
// role, workspaces and permissions, or a key. Pages hide what the permissions do not allow;
// the API stays the gate.
import { cache } from 'react';
import { gql } from './api';
import type * as Schema from './graphql/schema';

export type Me = Pick<Schema.Me, 'workspaceId' | 'organizationId' | 'role' | 'permissions'> & {
  person: Pick<Schema.Person, 'id' | 'email' | 'name'> | null;
  workspaces: Array<Pick<Schema.WorkspaceRole, 'workspaceId' | 'organizationId' | 'slug' | 'name' | 'role'>>;
};

export const getMe = cache(async (): Promise<Me | null> => {
  const res = await gql<{ me: Me }>('{ me { workspaceId organizationId role permissions person { id email name } workspaces { workspaceId organizationId slug name role } } }');
  return res.ok ? res.data.me : null;
});

export const allows = (me: Me | null, permission: string) => !!me?.permissions.includes(permission);
