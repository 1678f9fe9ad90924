// Who may use the dashboard. It listens on 127.0.0.1 only; on top of that:
//
// - DNS rebinding: a page on evil.example whose name is made to resolve to 127.0.0.1 reaches the port
//   with `Host: evil.example`. Every request must name this server in its Host header
//   (127.0.0.1:<port> or localhost:<port>), or it is refused before anything is read.
// - Actions (pause, resume, run now, backfill) need the token printed at start. The link carries it once as
//   `?token=`; the server answers with an HttpOnly, SameSite=Strict cookie and redirects to a URL
//   without it, so it stays out of history and Referer headers. Without the token the pages are
//   read-only and action requests get 403.
// - Cross-site requests (CSRF): the cookie is SameSite=Strict, and an action whose Origin (or, for
//   browsers that send none, Sec-Fetch-Site) says it came from another site is refused too.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** A fresh token: 32 random bytes, URL-safe. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether `host` (the Host header) names this server: 127.0.0.1, localhost or [::1], on its port. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}

/** The cookie the token lives in; it names the port, since cookies are shared by every port of a host. */
export function tokenCookieName(port: number): string {
  return `tickwork_dashboard_${port}`;
}

/** The `Set-Cookie` value that carries the token for this server. */
export function tokenCookie(port: number, token: string): string {
  return `${tokenCookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

/** Compares in constant time, so response times say nothing about how much of a guess was right. */
export function tokenMatches(candidate: string | undefined, token: string): boolean {
  if (candidate === undefined) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries: its cookie, or an `X-Tickwork-Token` header (for scripts). */
export function requestToken(headers: IncomingHttpHeaders, port: number): string | undefined {
  const header = headers['x-tickwork-token'];
  if (typeof header === 'string' && header !== '') return header;
  const name = tokenCookieName(port);
  for (const part of (headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * Whether a state-changing request came from this server's own pages. Browsers send Sec-Fetch-Site on
 * every request: it must be `same-origin` (or `none`, an address typed by the user). Where it is not
 * sent, Origin, when sent, must be this origin; an opaque `null` one is refused.
 */
export function sameOrigin(headers: IncomingHttpHeaders, port: number): boolean {
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin' || site === 'none';
  const origin = headers.origin;
  if (typeof origin === 'string') return origin.startsWith('http://') && hostAllowed(origin.slice('http://'.length), port);
  return true;
}

/** What a request may do. */
export type Access =
  | { readonly ok: true; readonly canAct: boolean }
  | { readonly ok: false; readonly status: 403; readonly reason: string };

/**
 * Decides a request: refused for a foreign Host; otherwise allowed to read, and to act when it carries
 * the token and the dashboard is not read-only.
 */
export function checkAccess(headers: IncomingHttpHeaders, options: { readonly port: number; readonly token: string; readonly readOnly: boolean }): Access {
  if (!hostAllowed(headers.host, options.port)) return { ok: false, status: 403, reason: `Host ${JSON.stringify(headers.host ?? '')} is not this dashboard (127.0.0.1:${options.port})` };
  return { ok: true, canAct: !options.readOnly && tokenMatches(requestToken(headers, options.port), options.token) };
}
