'use server';
// Creates an embed token through the API (createEmbedToken) for the signed-in workspace.
import { gql } from '@/lib/api';
import { CreateEmbedTokenDocument, type EmbedInput } from '@/lib/graphql/operations';

export interface EmbedSpec {
  kind: 'breakdown' | 'timeseries'; title: string; measures: string[]; by: string[];
  filters: Array<{ member: string; operator: string; values?: string[] }>;
  timeRange: { relative?: string; from?: string; to?: string }; granularity?: string; limit?: number;
}

export async function createEmbed(spec: EmbedSpec, theme: 'light' | 'dark', expiresInHours: number) {
  const res = await gql(CreateEmbedTokenDocument, { input: { ...spec, theme, expiresInHours } as EmbedInput });
  return res.ok ? { ok: true as const, ...res.data.createEmbedToken } : { ok: false as const, error: res.errors.map((e) => e.message).join('; ') };
}
