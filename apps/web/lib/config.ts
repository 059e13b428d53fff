// Server-side settings of the web app (environment variables, read at request time).
export const API_URL = process.env.SPENDGRAPH_API_URL ?? 'http://127.0.0.1:4000';
/** httpOnly cookie holding the signed-in session id (an API session, never the API key). */
export const SESSION_COOKIE = 'sg_session';
/**
 * The session cookie is Secure (sent over HTTPS only; browsers also accept it from
 * http://localhost) unless WEB_COOKIE_SECURE=false, for a plain-HTTP deployment.
 */
export const SECURE_COOKIES = process.env.WEB_COOKIE_SECURE !== 'false';
/** The API's address as machines outside reach it (onboarding's snippets); the internal one by default. */
export const PUBLIC_API_URL = process.env.SPENDGRAPH_PUBLIC_API_URL ?? API_URL;
