// The audit log's export (GET /v1/audit-log?format=csv|json) with the signed-in session: the
// browser holds the session in an httpOnly cookie the API's origin never sees, so the file passes here.
import type { NextRequest } from 'next/server';
import { API_URL } from '@/lib/config';
import { currentSession } from '@/lib/session';

const PASSED = ['format', 'action', 'actorUserId', 'actorKeyId', 'targetType', 'targetId', 'since', 'until', 'limit'];

export async function GET(request: NextRequest) {
  const session = await currentSession();
  if (!session) return new Response('sign in first', { status: 401 });
  const query = new URLSearchParams([...request.nextUrl.searchParams].filter(([k]) => PASSED.includes(k)));
  const res = await fetch(`${API_URL}/v1/audit-log?${query}`, { headers: { authorization: `Bearer ${session}` }, cache: 'no-store' });
  const headers = new Headers();
  for (const h of ['content-type', 'content-disposition']) if (res.headers.get(h)) headers.set(h, res.headers.get(h)!);
  return new Response(res.body, { status: res.status, headers });
}
