import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from '../../../src/dashboard/server.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { ScheduleActions } from '../../../src/operate/actions.js';
import { ReadModel } from '../../../src/operate/ReadModel.js';
import { localSinks } from '../../../src/runner/sinks.js';
import { runTick } from '../../../src/runner/runTick.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';

const TOKEN = 'the-token';
const NOW = Date.parse('2026-11-23T10:01:30Z');
/** A task name and an error that are markup if a page ever forgets to escape them. */
const EVIL = '<img src=x onerror=alert(1)> & "x"';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A request with exactly the headers given (a browser would not let a page set Host or Origin). */
function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body = ''): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function dashboard(readOnly = false): Promise<{ server: RunningDashboard; store: MemoryStore; cookie: string; log: string[] }> {
  const schedule = new Schedule();
  schedule.call(() => {}).name('greet').everyMinute();
  schedule
    .call(() => {
      throw new Error(`broke: ${EVIL}`);
    })
    .name(EVIL)
    .everyMinute();
  const store = new MemoryStore();
  const minute = new Date('2026-11-23T10:01:00Z');
  await runTick({ tasks: schedule.compiled(), commands: schedule.commands, sinks: localSinks(mkdtempSync(join(tmpdir(), 'tickwork-dash-'))), stage: 'test', store, minute, owner: 'tick', deadline: minute.getTime() + 55_000, now: () => minute.getTime() + 100, logger: new Logger({ logLevel: 'SILENT' }) });
  const log: string[] = [];
  const server = await startDashboard({
    model: new ReadModel({ tasks: schedule.compiled(), store, stage: 'test' }),
    ...(readOnly ? {} : { actions: new ScheduleActions({ schedule, store, stage: 'test', now: () => NOW }) }),
    token: TOKEN,
    readOnly,
    stage: 'test',
    table: 'tickwork-test',
    now: () => NOW,
    log: (line) => log.push(line),
  });
  started.push(server);
  return { server, store, cookie: `tickwork_dashboard_${server.port}=${TOKEN}`, log };
}

const started: RunningDashboard[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

describe('the dashboard server', () => {
  it('listens on 127.0.0.1 and prints a link with the token', async () => {
    const { server } = await dashboard();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
  });

  it('escapes task names and errors in every page it renders', async () => {
    const { server } = await dashboard();
    const overview = await send(server.port, 'GET', '/');
    expect(overview.status).toBe(200);
    expect(overview.body).not.toContain('<img');
    expect(overview.body).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;x&quot;');
    const page = await send(server.port, 'GET', `/tasks/${encodeURIComponent(EVIL)}`);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('<img');
    expect(page.body).toContain('<pre class="error">Error: broke: &lt;img src=x onerror=alert(1)&gt; &amp; &quot;x&quot;</pre>');
    // Even a missed escape could not run a script: only the server's own files may.
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('trades the link\'s token for a cookie and a URL without it; a wrong token gets no cookie', async () => {
    const { server } = await dashboard();
    const good = await send(server.port, 'GET', `/tasks/greet?token=${TOKEN}&at=x`);
    expect(good.status).toBe(303);
    expect(good.headers.location).toBe('/tasks/greet?at=x');
    expect(good.headers['set-cookie']).toEqual([`tickwork_dashboard_${server.port}=${TOKEN}; Path=/; HttpOnly; SameSite=Strict`]);
    const bad = await send(server.port, 'GET', '/?token=guess');
    expect(bad.status).toBe(303);
    expect(bad.headers['set-cookie']).toBeUndefined();
  });

  it('refuses any request whose Host is not this server (DNS rebinding)', async () => {
    const { server, cookie } = await dashboard();
    expect((await send(server.port, 'GET', '/', { host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await send(server.port, 'POST', '/actions/pause', { host: `evil.example:${server.port}`, cookie, ...form }, 'note=x')).status).toBe(403);
  });

  it('pauses with the token, records it as the CLI does, and redirects back with what it did', async () => {
    const { server, store, cookie, log } = await dashboard();
    const reply = await send(server.port, 'POST', '/actions/pause', { cookie, ...form, origin: `http://127.0.0.1:${server.port}` }, 'task=greet&note=maintenance&return=%2Ftasks%2Fgreet');
    expect(reply.status).toBe(303);
    const back = new URL(String(reply.headers.location), 'http://127.0.0.1');
    expect([back.pathname, back.searchParams.get('notice')]).toEqual(['/tasks/greet', 'paused task "greet" (test): maintenance']);
    expect((await store.pauses()).tasks.get('greet')).toEqual({ note: 'maintenance', pausedAt: NOW });
    expect(log).toEqual(['paused task "greet" (test): maintenance']);
  });

  it('refuses actions without the token, from another site, or on a read-only dashboard (403), and writes nothing', async () => {
    const { server, store, cookie } = await dashboard();
    expect((await send(server.port, 'POST', '/actions/pause', form, 'task=greet&note=x')).status).toBe(403);
    expect((await send(server.port, 'POST', '/actions/pause', { cookie: `tickwork_dashboard_${server.port}=nope`, ...form }, 'task=greet&note=x')).status).toBe(403);
    expect((await send(server.port, 'POST', '/actions/run', { cookie, ...form, origin: 'http://evil.example' }, 'task=greet')).status).toBe(403);
    expect((await send(server.port, 'POST', '/actions/run', { cookie, ...form, 'sec-fetch-site': 'cross-site' }, 'task=greet')).status).toBe(403);
    expect((await store.pauses()).tasks.size).toBe(0);
    expect(await store.dueRuns(NOW + 60_000, 10)).toEqual([]);

    const readOnly = await dashboard(true);
    const refused = await send(readOnly.server.port, 'POST', '/actions/pause', { cookie: readOnly.cookie, ...form }, 'task=greet&note=x');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('started with --read-only');
    expect((await send(readOnly.server.port, 'GET', '/tasks/greet', { cookie: readOnly.cookie })).body).not.toContain('id="pause"');
  });

  it('shows the action forms, and what an action did, only to the token holder', async () => {
    const { server, cookie } = await dashboard();
    expect((await send(server.port, 'GET', '/tasks/greet', { cookie })).body).toContain('id="run-now"');
    expect((await send(server.port, 'GET', '/tasks/greet')).body).not.toContain('id="run-now"');
    // A link from elsewhere cannot make the page announce something of its choosing.
    expect((await send(server.port, 'GET', '/?notice=Token+expired%3A+visit+evil.example', { cookie })).body).toContain('<p class="notice" role="status">Token expired: visit evil.example</p>');
    expect((await send(server.port, 'GET', '/?notice=Token+expired%3A+visit+evil.example')).body).not.toContain('evil.example');
  });

  it('answers bad input with 400 naming it: no note, an unknown task; and never redirects off the server', async () => {
    const { server, store, cookie } = await dashboard();
    const noNote = await send(server.port, 'POST', '/actions/pause', { cookie, ...form }, 'task=greet&note=++');
    expect(noNote.status).toBe(400);
    expect(noNote.body).toContain('a pause needs a note saying why');
    const unknown = await send(server.port, 'POST', '/actions/run', { cookie, ...form }, 'task=gret');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('unknown task &quot;gret&quot;');
    expect((await store.pauses()).tasks.size).toBe(0);

    const offSite = await send(server.port, 'POST', '/actions/run', { cookie, ...form }, 'task=greet&return=%2F%2Fevil.example%2Fx');
    expect(offSite.status).toBe(303);
    expect(offSite.headers.location).toMatch(/^\/\?notice=queued\+greet\+for\+2026-11-23T10%3A01%3A30.000Z/);
    expect((await store.dueRuns(NOW, 10)).map((r) => r.task)).toEqual(['greet']);
  });

  it('answers 404 for an unknown task or path, and 413 for an oversized form', async () => {
    const { server, cookie } = await dashboard();
    expect((await send(server.port, 'GET', '/tasks/nope')).status).toBe(404);
    expect((await send(server.port, 'GET', '/etc/passwd')).status).toBe(404);
    expect((await send(server.port, 'GET', '/tasks/%E0%A4%A')).status).toBe(404);
    expect((await send(server.port, 'POST', '/actions/pause', { cookie, ...form }, `note=${'x'.repeat(20_000)}`)).status).toBe(413);
  });

  it('explains a picked time, and says so when the time is not one', async () => {
    const { server } = await dashboard();
    const why = await send(server.port, 'GET', '/tasks/greet?at=2026-11-23T10:01:00Z');
    expect(why.body).toContain('<strong>ran: succeeded');
    const bad = await send(server.port, 'GET', '/tasks/greet?at=yesterday');
    expect(bad.body).toContain('expected an ISO-8601 time such as 2026-11-23T10:05:00Z, got &quot;yesterday&quot;');
  });
});
