import { describe, expect, it } from 'vitest';
import { checkAccess, createToken, hostAllowed, requestToken, sameOrigin, tokenCookie, tokenMatches } from '../../../src/dashboard/security.js';

const PORT = 4321;
const TOKEN = 'k3y-0f-the-day';

describe('hostAllowed (DNS rebinding)', () => {
  it.each([
    ['127.0.0.1:4321', true],
    ['localhost:4321', true],
    ['LOCALHOST:4321', true],
    ['[::1]:4321', true],
    ['127.0.0.1:4322', false],
    ['127.0.0.1', false],
    ['evil.example:4321', false],
    ['127.0.0.1.evil.example:4321', false],
    ['localhost:4321.evil.example', false],
    ['', false],
    [undefined, false],
  ])('Host %j → %s', (host, allowed) => {
    expect(hostAllowed(host, PORT)).toBe(allowed);
  });
});

describe('the token', () => {
  it('is 32 random bytes, URL-safe, different every time', () => {
    const a = createToken();
    expect(a).toMatch(/^[\w-]{43}$/);
    expect(createToken()).not.toBe(a);
  });

  it('matches only itself: not a prefix, not a longer string, not nothing', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokenMatches(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
    expect(tokenMatches(undefined, TOKEN)).toBe(false);
  });

  it('lives in an HttpOnly, SameSite=Strict cookie named after the port, or comes in X-Tickwork-Token', () => {
    expect(tokenCookie(PORT, TOKEN)).toBe(`tickwork_dashboard_4321=${TOKEN}; Path=/; HttpOnly; SameSite=Strict`);
    expect(requestToken({ cookie: `other=1; tickwork_dashboard_4321=${TOKEN}; x=y` }, PORT)).toBe(TOKEN);
    expect(requestToken({ cookie: `tickwork_dashboard_9999=${TOKEN}` }, PORT)).toBeUndefined();
    expect(requestToken({ 'x-tickwork-token': TOKEN }, PORT)).toBe(TOKEN);
    expect(requestToken({}, PORT)).toBeUndefined();
  });
});

describe('sameOrigin (CSRF)', () => {
  it.each([
    [{ 'sec-fetch-site': 'same-origin' }, true],
    [{ 'sec-fetch-site': 'none' }, true],
    [{ 'sec-fetch-site': 'cross-site', origin: 'http://127.0.0.1:4321' }, false],
    [{ 'sec-fetch-site': 'same-site' }, false],
    [{ origin: 'http://127.0.0.1:4321' }, true],
    [{ origin: 'http://localhost:4321' }, true],
    [{ origin: 'http://evil.example' }, false],
    [{ origin: 'http://127.0.0.1:9999' }, false],
    [{ origin: 'null' }, false],
    [{}, true],
  ])('%j → %s', (headers, allowed) => {
    expect(sameOrigin(headers, PORT)).toBe(allowed);
  });
});

describe('checkAccess', () => {
  const options = { port: PORT, token: TOKEN, readOnly: false };

  it('refuses a foreign Host before anything else, naming it', () => {
    expect(checkAccess({ host: 'evil.example:4321', cookie: `tickwork_dashboard_4321=${TOKEN}` }, options)).toEqual({ ok: false, status: 403, reason: 'Host "evil.example:4321" is not this dashboard (127.0.0.1:4321)' });
  });

  it('lets anyone on this host read, and only the token holder act', () => {
    expect(checkAccess({ host: '127.0.0.1:4321' }, options)).toEqual({ ok: true, canAct: false });
    expect(checkAccess({ host: '127.0.0.1:4321', cookie: 'tickwork_dashboard_4321=wrong' }, options)).toEqual({ ok: true, canAct: false });
    expect(checkAccess({ host: '127.0.0.1:4321', cookie: `tickwork_dashboard_4321=${TOKEN}` }, options)).toEqual({ ok: true, canAct: true });
  });

  it('lets nobody act on a read-only dashboard, token or not', () => {
    expect(checkAccess({ host: '127.0.0.1:4321', cookie: `tickwork_dashboard_4321=${TOKEN}` }, { ...options, readOnly: true })).toEqual({ ok: true, canAct: false });
  });
});
