// The web app's environment, in one schema: lib/config.ts reads it, and the compose consistency
// test (test/deploy/compose.test.ts) checks docker-compose.yml against it.
import { z } from 'zod';

const url = z.url().transform((u) => u.replace(/\/+$/, ''));

export const webEnv = z.object({
  /** Where the server reaches the API. */
  SPENDGRAPH_API_URL: url.default('http://127.0.0.1:4000'),
  /** The API's address as machines outside reach it (onboarding's snippets); SPENDGRAPH_API_URL by default. */
  SPENDGRAPH_PUBLIC_API_URL: url.optional(),
  /**
   * The session cookie is Secure (sent over HTTPS only; browsers also accept it from
   * http://localhost) unless false, for a plain-HTTP deployment.
   */
  WEB_COOKIE_SECURE: z.stringbool().default(true),
  /** Origins that may frame /embed/... (CSP frame-ancestors); every other page may be framed by none. */
  EMBED_FRAME_ANCESTORS: z.string().trim().min(1).default("'self'"),
  /** The app's address as the browser sees it, behind a proxy (SSO's redirect URI); else the request's Host. */
  WEB_PUBLIC_URL: url.optional(),
  /** The port `next start` listens on (read by Next.js itself). */
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  NEXT_TELEMETRY_DISABLED: z.string().optional(),
});

export type WebEnv = z.infer<typeof webEnv>;

export function loadWebEnv(env: NodeJS.ProcessEnv = process.env): WebEnv {
  const parsed = webEnv.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new Error(`invalid configuration: ${z.prettifyError(parsed.error)}`);
}
