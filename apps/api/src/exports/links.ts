// Short-lived download links for exports asked for through GraphQL: the link's
// token is the credential (a browser or curl can fetch it without the API key),
// it names one workspace and one export request, and it expires. Redis keeps
// only the token's hash, so reading Redis does not yield working links.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from '@spendgraph/queue';
import type { SemanticContext } from '@spendgraph/semantic';
import type { ExportRequest } from './request.ts';

export const LINK_TTL_SECONDS = 15 * 60;
export const DOWNLOAD_PATH = '/v1/exports/download';

/** The workspace and, for a restricted key, the values the download stays filtered to. */
interface Link extends SemanticContext { request: ExportRequest }

const keyOf = (token: string) => `spendgraph:export-link:${createHash('sha256').update(token).digest('hex')}`;

export async function createLink(redis: Redis, link: Link) {
  const token = randomBytes(24).toString('base64url');
  await redis.set(keyOf(token), JSON.stringify(link), 'EX', LINK_TTL_SECONDS);
  return { url: `${DOWNLOAD_PATH}/${token}`, expiresAt: new Date(Date.now() + LINK_TTL_SECONDS * 1000).toISOString() };
}

export async function readLink(redis: Redis, token: string): Promise<Link | undefined> {
  if (!/^[A-Za-z0-9_-]{32}$/.test(token)) return undefined;
  const stored = await redis.get(keyOf(token));
  return stored ? (JSON.parse(stored) as Link) : undefined;
}
