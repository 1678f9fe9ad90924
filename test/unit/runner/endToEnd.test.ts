import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { CommandRegistry } from '../../../src/kernel/CommandRegistry.js';
import { Mailer, MemoryMailTransport, MemoryObjectStore, OutputWriter } from '../../../src/output/index.js';
import { localSinks } from '../../../src/runner/createTickHandler.js';
import { runTick } from '../../../src/runner/runTick.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';

/**
 * Each hook, condition and output target through the inline runner, as one kernel would use them:
 * deployed-style sinks with S3 and SES replaced by their in-memory twins, and local-style sinks
 * (files and the outbox) on a temp folder.
 */
describe('inline runner, end to end', () => {
  const logger = new Logger({ logLevel: 'SILENT' });
  const minute = Date.parse('2026-11-23T10:00:00Z'); // a Monday, 10:00 UTC
  let server: Server;
  let base = '';
  const pings: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => void (pings.push(req.url ?? ''), res.end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function kernel(events: string[]): { schedule: Schedule; commands: CommandRegistry } {
    const commands = new CommandRegistry();
    commands.register('report:build', (args, { write }) => write(`report ${args.join(' ')}\n`));
    const schedule = new Schedule({ commands });
    const note = (label: string) => () => void events.push(label);

    schedule.command('report:build', ['--daily'])
      .hourly().timezone('Europe/Paris').environments('prod').between('09:00', '17:00')
      .before(note('report:before')).onSuccess(note('report:success')).after(note('report:after'))
      .pingBefore(`${base}/report/start`).pingOnSuccess(`${base}/report/ok`).thenPing(`${base}/report/done`)
      .sendOutputTo('s3://acme-reports/latest.txt')
      .emailOutputTo('ops@acme.test');
    schedule.exec('echo checking; echo "replica lag too high" >&2; exit 1').name('db:check')
      .everyFiveMinutes().when(async () => true).skip(false)
      .onFailure((error) => void events.push(`db:check:failure:${(error as Error).name}`))
      .pingOnFailure(`${base}/db/fail`)
      .appendOutputTo('s3://acme-audit/db-check.log')
      .emailOutputOnFailure(['oncall@acme.test']);
    schedule.call(({ write }) => write('nightly only\n')).name('nightly').unlessBetween('06:00', '22:00');
    schedule.call(() => {}).name('staging-only').environments('staging');
    schedule.call(() => {}).name('flagged-off').when(false);
    return { schedule, commands };
  }

  it('with S3 and SES behind their in-memory twins', async () => {
    const events: string[] = [];
    pings.length = 0;
    const { schedule, commands } = kernel(events);
    const objects = new MemoryObjectStore();
    const transport = new MemoryMailTransport();
    const sinks = {
      writer: new OutputWriter({ root: mkdtempSync(join(tmpdir(), 'tw-e2e-')), objects }),
      mailer: new Mailer({ from: 'tickwork@acme.test', transport }),
    };
    const store = new MemoryStore();
    const tick = (at: number) => runTick({
      tasks: schedule.compiled(), commands, sinks, stage: 'prod', store, minute: new Date(at),
      owner: `tick-${at}`, deadline: at + 50_000, now: () => at + 100, logger,
    });

    const first = await tick(minute);
    const second = await tick(minute + 5 * 60_000);

    expect(first.ran).toEqual(['report:build --daily']);
    expect(first.failed).toEqual([{ name: 'db:check', error: 'CommandFailedError: Command "echo checking; echo "replica lag too high" >&2; exit 1" exited with code 1: replica lag too high' }]);
    expect(first.skipped).toEqual([
      { name: 'nightly', reason: 'inside-unless-between' },
      { name: 'staging-only', reason: 'environment' },
      { name: 'flagged-off', reason: 'when-false' },
    ]);
    expect(second.ran).toEqual([]); // 10:05: not the hour
    // Tasks run concurrently: order is only defined within a task.
    expect(events.filter((e) => e.startsWith('report:'))).toEqual(['report:before', 'report:success', 'report:after']);
    expect(events.filter((e) => e.startsWith('db:check'))).toEqual(['db:check:failure:CommandFailedError', 'db:check:failure:CommandFailedError']);
    expect(pings.sort()).toEqual(['/db/fail', '/db/fail', '/report/done', '/report/ok', '/report/start']);

    expect(objects.objects()).toEqual(new Map([
      ['acme-reports/latest.txt', 'report --daily\n'],
      ['acme-audit/db-check.log', 'checking\nreplica lag too high\nchecking\nreplica lag too high\n'],
    ]));
    expect(transport.sent.map((m) => [m.from, m.to, m.subject]).sort()).toEqual([
      ['tickwork@acme.test', ['ops@acme.test'], '[tickwork] report:build --daily succeeded (2026-11-23T10:00:00.000Z)'],
      ['tickwork@acme.test', ['oncall@acme.test'], '[tickwork] db:check failed (2026-11-23T10:00:00.000Z)'],
      ['tickwork@acme.test', ['oncall@acme.test'], '[tickwork] db:check failed (2026-11-23T10:05:00.000Z)'],
    ].sort());
    expect(transport.sent.find((m) => m.subject.includes('db:check'))?.text).toContain('exited with code 1');
    expect(await store.getRun('db:check', '2026-11-23T10:00:00.000Z')).toMatchObject({ status: 'failed', output: 'checking\nreplica lag too high\n' });
  });

  it('with local files and the local outbox', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tw-e2e-local-'));
    const { schedule, commands } = kernel([]);
    const at = minute;
    await runTick({
      tasks: schedule.compiled(), commands, sinks: localSinks(root), stage: 'prod', store: new MemoryStore(),
      minute: new Date(at), owner: 'local', deadline: at + 50_000, now: () => at + 100, logger,
    });
    expect(readFileSync(join(root, '.tickwork', 's3', 'acme-reports', 'latest.txt'), 'utf8')).toBe('report --daily\n');
    expect(readFileSync(join(root, '.tickwork', 's3', 'acme-audit', 'db-check.log'), 'utf8')).toBe('checking\nreplica lag too high\n');
    const outbox = join(root, '.tickwork', 'outbox');
    const mails = readdirSync(outbox).map((file) => readFileSync(join(outbox, file), 'utf8'));
    expect(mails).toHaveLength(2);
    expect(mails.some((m) => /^To: oncall@acme.test/m.test(m) && m.includes('replica lag too high'))).toBe(true);
  });
});
