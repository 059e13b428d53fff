'use server';
// Onboarding: an ingest key made on request (shown once) and the cheap "any event yet?" poll.
import { gql } from '@/lib/api';
import { CreateApiKeyDocument, WorkspaceHasEventsDocument } from '@/lib/graphql/operations';

export async function createIngestKey(): Promise<{ key: string } | { error: string }> {
  const name = `onboarding ${new Date().toISOString().slice(0, 10)}`;
  const res = await gql(CreateApiKeyDocument, { input: { name, scopes: ['ingest'] } });
  return res.ok ? { key: res.data.createApiKey.key } : { error: res.errors.map((e) => e.message).join('; ') };
}

/** One probe of the workspace's event ids (workspace.hasEvents). */
export async function firstEventArrived(): Promise<boolean> {
  const res = await gql(WorkspaceHasEventsDocument);
  return res.ok && res.data.workspace.hasEvents;
}
