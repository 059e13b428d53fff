// Server-side settings of the web app (environment variables, read at request time).
export const API_URL = process.env.SPENDGRAPH_API_URL ?? 'http://127.0.0.1:4000';
/** httpOnly cookie holding the signed-in workspace API key. */
export const KEY_COOKIE = 'sg_key';
