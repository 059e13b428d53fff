// Every page needs a session except sign-in (and SSO's routes under it), the first run, invitation links and
// embeds; embeds may be framed by the origins in EMBED_FRAME_ANCESTORS, every other page by none.
import { type NextRequest, NextResponse } from 'next/server';
import { EMBED_FRAME_ANCESTORS, SESSION_COOKIE } from './lib/config';

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const isEmbed = pathname.startsWith('/embed/');
  const open = isEmbed || pathname === '/signin' || pathname.startsWith('/signin/') || pathname === '/setup' || pathname.startsWith('/invite/');
  if (!open && !request.cookies.has(SESSION_COOKIE)) {
    const url = request.nextUrl.clone();
    url.pathname = '/signin';
    url.search = pathname === '/' ? '' : `?next=${encodeURIComponent(pathname + search)}`;
    return NextResponse.redirect(url);
  }
  const response = NextResponse.next();
  if (isEmbed) {
    response.headers.set('content-security-policy', `frame-ancestors ${EMBED_FRAME_ANCESTORS}`);
  } else {
    response.headers.set('content-security-policy', "frame-ancestors 'none'");
    response.headers.set('x-frame-options', 'DENY');
  }
  response.headers.set('referrer-policy', 'no-referrer');
  response.headers.set('x-content-type-options', 'nosniff');
  return response;
}

export const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'] };
