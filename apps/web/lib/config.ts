// Server-side settings of the web app (environment variables: lib/env.ts), read when the server starts.
import { loadWebEnv } from './env';

const env = loadWebEnv();
export const API_URL = env.SPENDGRAPH_API_URL;
/** httpOnly cookie holding the signed-in session id (an API session, never the API key). */
export const SESSION_COOKIE = 'sg_session';
/** Whether the session cookie is Secure (WEB_COOKIE_SECURE). */
export const SECURE_COOKIES = env.WEB_COOKIE_SECURE;
/** The API's address as machines outside reach it (onboarding's snippets); the internal one by default. */
export const PUBLIC_API_URL = env.SPENDGRAPH_PUBLIC_API_URL ?? API_URL;
export const EMBED_FRAME_ANCESTORS = env.EMBED_FRAME_ANCESTORS;
export const WEB_PUBLIC_URL = env.WEB_PUBLIC_URL;
