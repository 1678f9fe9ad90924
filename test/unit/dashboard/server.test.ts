import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from '../../../src/dashboard/server.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { ScheduleActions } from '../../../src/operate/actions.js';
import { backfill, type BackfillReport, type BackfillRequest } from '../../../src/operate/backfill.js';
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

/** The store's methods that only read: anything else a dry run or a refusal calls would be a write. */
const READS = new Set(['getRun', 'lastRun', 'runsBetween', 'missedBetween', 'dueRuns', 'lease', 'lastTick', 'pauses', 'shared']);

/** The store, with every method call it gets recorded by name. */
function recorded(store: MemoryStore): { store: MemoryStore; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

type Backfill = (request: BackfillRequest) => Promise<BackfillReport>;

async function dashboard(readOnly = false, replaceBackfill?: Backfill): Promise<{ server: RunningDashboard; store: MemoryStore; cookie: string; log: string[]; calls: string[] }> {
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
  const watched = recorded(store);
  const context = { tasks: schedule.compiled(), commands: schedule.commands, store: watched.store, deployment: 'default', stage: 'test', sinks: localSinks(mkdtempSync(join(tmpdir(), 'tickwork-dash-'))), logger: new Logger({ logLevel: 'SILENT' }), now: () => NOW };
  const server = await startDashboard({
    model: new ReadModel({ tasks: schedule.compiled(), store, stage: 'test' }),
    ...(readOnly ? {} : { actions: new ScheduleActions({ schedule, store, stage: 'test', now: () => NOW }) }),
    backfill: replaceBackfill ?? ((request) => backfill(context, request)),
    token: TOKEN,
    readOnly,
    stage: 'test',
    table: 'tickwork-test',
    now: () => NOW,
    log: (line) => log.push(line),
  });
  started.push(server);
  return { server, store, cookie: `tickwork_dashboard_${server.port}=${TOKEN}`, log, calls: watched.calls };
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

  it('shows a run left running longer than any invocation lasts as having no outcome, in a failure\'s colour', async () => {
    const { server, store } = await dashboard();
    // A tick claimed greet's 09:40 slot and died; no Lambda retry settled it (16 minutes have passed by NOW).
    await store.claimSlot({ task: 'greet', slot: '2026-11-23T09:40:00.000Z', owner: 'tick@dead', claimedAt: Date.parse('2026-11-23T09:40:00.100Z') });
    const page = await send(server.port, 'GET', '/tasks/greet');
    expect(page.status).toBe(200);
    const row = page.body.split('<tr class="entry run"').find((r) => r.includes('data-slot="2026-11-23T09:40:00.000Z"'));
    expect(row).toContain('<span class="status status-failed">no outcome</span>');
    expect(row).toContain('no outcome: started 2026-11-23T09:40:00.100Z');
    expect(page.body).toContain('<li class="mark status-failed w0" title="2026-11-23T09:40:00.000Z: no outcome"></li>');
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
    expect(readOnly.server.url).toBe(`http://127.0.0.1:${readOnly.server.port}/`); // no token that would enable nothing
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
    // Paths a browser resolves to another site, however they are spelled.
    for (const back of ['/.//evil.example/x', '/%2E//evil.example/x', '/a/..//evil.example/x', '/\\evil.example/x']) {
      const sneaky = await send(server.port, 'POST', '/actions/run', { cookie, ...form }, `task=greet&return=${encodeURIComponent(back)}`);
      expect(sneaky.headers.location, back).toMatch(/^\/\?notice=/);
    }
    const home = await send(server.port, 'POST', '/actions/run', { cookie, ...form }, `task=greet&return=${encodeURIComponent('/tasks/greet')}`);
    expect(home.headers.location).toMatch(/^\/tasks\/greet\?notice=/);
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
    expect(bad.body).toContain('expected an ISO-8601 time such as 2026-11-23T10:05:00Z (one without a zone is UTC), got &quot;yesterday&quot;');
    // No zone is UTC, as everywhere on the page, whatever the server's own zone; a date that does not exist is refused.
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York'; // a server whose own zone is not UTC
    try {
      const local = await send(server.port, 'GET', '/tasks/greet?at=2026-11-23T10:01');
      expect(local.body).toContain('<strong>ran: succeeded');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    const february = await send(server.port, 'GET', '/tasks/greet?at=2026-02-30T10:00:00Z');
    expect(february.body).toContain('got &quot;2026-02-30T10:00:00Z&quot;');
  });
});

/** The five slots 09:57 … 10:01 of the every-minute tasks: the tick at 10:01 ran the last one. */
const RANGE = `from=${encodeURIComponent('2026-11-23T09:57:00Z')}&to=${encodeURIComponent('2026-11-23T10:01:00Z')}`;
const PREVIEWED = ['2026-11-23T09:57:00.000Z', '2026-11-23T09:58:00.000Z', '2026-11-23T09:59:00.000Z', '2026-11-23T10:00:00.000Z'];

/** The `data-…` attribute of every backfill row in a page. */
function rows(body: string, attribute: 'slot' | 'outcome'): string[] {
  const table = /<table class="backfill-slots">([\s\S]*?)<\/table>/.exec(body)?.[1] ?? '';
  return [...table.matchAll(new RegExp(`<tr data-slot="[^"]*" data-outcome="[^"]*"`, 'g'))].map((m) => new RegExp(`data-${attribute}="([^"]*)"`).exec(m[0])![1]!);
}

describe('the dashboard\'s backfill', () => {
  it('previews a range as a dry run: its slots with their outcomes and counts, and writes nothing', async () => {
    const { server, cookie, calls } = await dashboard();
    const preview = await send(server.port, 'GET', `/tasks/greet?${RANGE}`, { cookie });
    expect(preview.status).toBe(200);
    expect(rows(preview.body, 'slot')).toEqual([...PREVIEWED, '2026-11-23T10:01:00.000Z']);
    expect(rows(preview.body, 'outcome')).toEqual(['would-run', 'would-run', 'would-run', 'would-run', 'already-claimed']);
    expect(preview.body).toContain('<span class="outcome outcome-would-run" data-outcome="would-run">4 would-run</span>');
    expect(preview.body).toContain('held by tick (succeeded): left alone');
    expect(preview.body).toContain('>Backfill 4 slots</button>');
    expect(preview.body).toContain('They run inline, in this dashboard&#39;s process');
    // The button runs exactly the range previewed.
    expect(preview.body).toContain('<input type="hidden" name="from" value="2026-11-23T09:57:00.000Z"><input type="hidden" name="to" value="2026-11-23T10:01:00.000Z">');
    expect(calls).toContain('getRun');
    expect(calls.filter((name) => !READS.has(name))).toEqual([]);
  });

  it('previews without the token and on a read-only dashboard (a read), but offers the run only to the token holder', async () => {
    const { server, calls } = await dashboard();
    const anonymous = await send(server.port, 'GET', `/tasks/greet?${RANGE}`);
    expect(anonymous.status).toBe(200);
    expect(rows(anonymous.body, 'outcome')).toHaveLength(5);
    expect(anonymous.body).not.toContain('id="backfill-run"');
    expect(anonymous.body).toContain('4 slots would run. Open the link tickwork dashboard printed to run it from here.');
    const readOnly = await dashboard(true);
    const page = await send(readOnly.server.port, 'GET', `/tasks/greet?${RANGE}`, { cookie: readOnly.cookie });
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('id="backfill-run"');
    expect(page.body).toContain('This dashboard is read-only: run it with tickwork backfill.');
    expect([...calls, ...readOnly.calls].filter((name) => !READS.has(name))).toEqual([]);
  });

  it('refuses a preview another site\'s page asks a browser for (each slot is a read)', async () => {
    const { server, calls } = await dashboard();
    expect((await send(server.port, 'GET', `/tasks/greet?${RANGE}`, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(calls).toEqual([]);
  });

  it.each([
    ['a future to', 'from=2026-11-23T10:00:00Z&to=2026-11-23T10:05:00Z', 'to', 'backfill to (2026-11-23T10:05:00.000Z) is in the future (now 2026-11-23T10:01:30.000Z)'],
    ['from after to', 'from=2026-11-23T10:00:00Z&to=2026-11-23T09:00:00Z', 'from', 'backfill from (2026-11-23T10:00:00.000Z) is after to (2026-11-23T09:00:00.000Z)'],
    ['over the limit', 'from=2026-11-23T09:00:00Z&to=2026-11-23T10:00:00Z&limit=5', 'limit', 'Task &quot;greet&quot; has 61 slots from 2026-11-23T09:00:00.000Z to 2026-11-23T10:00:00.000Z, more than the limit of 5: narrow from and to, or raise the limit (at most 10000)'],
    ['past retention', 'from=2026-10-01T00:00:00Z&to=2026-10-01T00:05:00Z', 'from', 'is older than the 30 days run records are kept'],
    ['a time that is none', 'from=yesterday&to=2026-11-23T10:00:00Z', 'from', 'backfill from expects an ISO-8601 time such as 2026-11-23T10:05:00Z'],
    ['a limit that is none', 'from=2026-11-23T10:00:00Z&to=2026-11-23T10:01:00Z&limit=lots', 'limit', 'backfill limit expects a whole number from 1 to 10000, got &quot;lots&quot;'],
  ])('answers %s with 400 naming the field, in a preview and a real run, and writes nothing', async (_, query, field, message) => {
    const { server, cookie, calls } = await dashboard();
    const preview = await send(server.port, 'GET', `/tasks/greet?${query}`, { cookie });
    const run = await send(server.port, 'POST', '/actions/backfill', { cookie, ...form }, `task=greet&${query}`);
    for (const reply of [preview, run]) {
      expect(reply.status).toBe(400);
      expect(reply.body).toContain(`data-field="${field}" role="alert"><strong>${field}:</strong> `);
      expect(reply.body).toContain(message);
      expect(reply.body).toContain(`name="${field}" value=`);
      expect(rows(reply.body, 'slot')).toEqual([]);
    }
    expect(calls.filter((name) => !READS.has(name))).toEqual([]);
  });

  it('refuses a paused task (its slots would be recorded paused), with 400 and nothing written', async () => {
    const { server, store, cookie, calls } = await dashboard();
    await store.pause({ task: 'greet', note: 'maintenance', pausedAt: NOW });
    const run = await send(server.port, 'POST', '/actions/backfill', { cookie, ...form }, `task=greet&${RANGE}`);
    expect(run.status).toBe(400);
    expect(run.body).toContain('<strong>task:</strong> Task &quot;greet&quot; is paused (&quot;maintenance&quot;): resume it before backfilling');
    expect(calls.filter((name) => !READS.has(name))).toEqual([]);
    expect(await store.getRun('greet', PREVIEWED[0]!)).toBeUndefined();
  });

  it('runs for real only with the token, from this dashboard\'s pages, and not read-only (403, nothing written)', async () => {
    const { server, store, cookie, calls } = await dashboard();
    expect((await send(server.port, 'POST', '/actions/backfill', form, `task=greet&${RANGE}`)).status).toBe(403);
    expect((await send(server.port, 'POST', '/actions/backfill', { cookie, ...form, origin: 'http://evil.example' }, `task=greet&${RANGE}`)).status).toBe(403);
    expect((await send(server.port, 'POST', '/actions/backfill', { cookie, ...form, 'sec-fetch-site': 'cross-site' }, `task=greet&${RANGE}`)).status).toBe(403);
    const readOnly = await dashboard(true);
    const refused = await send(readOnly.server.port, 'POST', '/actions/backfill', { cookie: readOnly.cookie, ...form }, `task=greet&${RANGE}`);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('started with --read-only');
    expect([...calls, ...readOnly.calls]).toEqual([]);
    for (const slot of PREVIEWED) expect(await store.getRun('greet', slot)).toBeUndefined();
  });

  it('runs the range with the token: each slot through the tick\'s path, recorded as a backfill\'s, its outcomes on the page', async () => {
    const { server, store, cookie } = await dashboard();
    const reply = await send(server.port, 'POST', '/actions/backfill', { cookie, ...form, origin: `http://127.0.0.1:${server.port}` }, `task=greet&${RANGE}&return=%2Ftasks%2Fgreet`);
    expect(reply.status).toBe(200);
    expect(rows(reply.body, 'outcome')).toEqual(['ran', 'ran', 'ran', 'ran', 'already-claimed']);
    expect(reply.body).toContain('<span class="status status-succeeded">ran: succeeded</span>');
    expect(reply.body).toContain('<span class="outcome outcome-succeeded" data-outcome="succeeded">4 succeeded</span>');
    expect(reply.body).not.toContain('id="backfill-run"');
    for (const slot of PREVIEWED) expect(await store.getRun('greet', slot)).toMatchObject({ status: 'succeeded', owner: expect.stringMatching(/^backfill-[0-9a-f-]{36}$/) });
    // Sent again (a reload of the answer), it finds every slot claimed and runs nothing twice.
    const again = await send(server.port, 'POST', '/actions/backfill', { cookie, ...form }, `task=greet&${RANGE}`);
    expect(rows(again.body, 'outcome')).toEqual(['already-claimed', 'already-claimed', 'already-claimed', 'already-claimed', 'already-claimed']);
  });

  it('shows a failed slot\'s error escaped, and an unknown task as 400', async () => {
    const { server, cookie } = await dashboard();
    const reply = await send(server.port, 'POST', '/actions/backfill', { cookie, ...form }, `task=${encodeURIComponent(EVIL)}&from=2026-11-23T10:00:00Z&to=2026-11-23T10:00:00Z`);
    expect(reply.status).toBe(200);
    expect(reply.body).not.toContain('<img');
    expect(reply.body).toContain('Error: broke: &lt;img src=x onerror=alert(1)&gt; &amp; &quot;x&quot;');
    const unknown = await send(server.port, 'POST', '/actions/backfill', { cookie, ...form }, `task=gret&${RANGE}`);
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('Task &quot;gret&quot;: no task has this name');
  });

  it('shows a running backfill\'s progress on its task\'s page, serves other requests meanwhile, and refuses a second one of the task (409)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const slow: Backfill = async (request) => {
      request.onProgress?.({ done: 1, total: 4, slot: { slot: PREVIEWED[0]!, outcome: 'ran', status: 'succeeded' } });
      started();
      await gate;
      return { task: request.task, from: request.from.toISOString(), to: request.to.toISOString(), dryRun: false, runsIn: 'inline', owner: 'backfill-x', slots: [] };
    };
    const { server, cookie } = await dashboard(false, slow);
    const first = send(server.port, 'POST', '/actions/backfill', { cookie, ...form }, `task=greet&${RANGE}`);
    await running;
    const page = await send(server.port, 'GET', '/tasks/greet');
    expect(page.status).toBe(200);
    expect(page.body).toContain('A backfill is running in this dashboard: 1 of 4 slots done.');
    const second = await send(server.port, 'POST', '/actions/backfill', { cookie, ...form }, `task=greet&${RANGE}`);
    expect(second.status).toBe(409);
    expect(second.body).toContain('a backfill of &quot;greet&quot; is already running in this dashboard');
    release();
    expect((await first).status).toBe(200);
    expect((await send(server.port, 'GET', '/tasks/greet')).body).not.toContain('backfill-progress');
  });
});
