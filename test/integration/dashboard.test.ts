import { Logger } from '@aws-lambda-powertools/logger';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSchedule } from '../../src/kernel/buildSchedule.js';
import type { Schedule } from '../../src/kernel/Schedule.js';
import { localSinks } from '../../src/runner/sinks.js';
import { runTick, type TickReport } from '../../src/runner/runTick.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import kernel from '../fixtures/dashboard-kernel.js';
import { offlineEnv, root } from './cli.js';
import { localClient } from './dynamo.js';

/** The built binary, as `npx tickwork dashboard` runs it: its pages and script come from dist/. */
const TICKWORK = 'dist/src/cli/main.js';
const KERNEL = 'test/fixtures/dashboard-kernel.ts';
const STAGE = 'dashtest';
const MINUTE_MS = 60_000;
/**
 * The README's screenshots (README.md, "Dashboard") are taken by this test on every run; they replace
 * the committed ones only with UPDATE_SCREENSHOTS=1, so a test run leaves the working tree as it was.
 */
const IMAGES = process.env.UPDATE_SCREENSHOTS === '1' ? join(root, 'docs', 'images') : mkdtempSync(join(tmpdir(), 'tickwork-screenshots-'));
/** Debian's chromium, driven headless (docs: TOOLCHAIN; `.ci/run` installs it). */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const logger = new Logger({ logLevel: 'SILENT' });

/** `tickwork dashboard` in a child process, until it prints its link. */
async function startDashboard(tableName: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const env = offlineEnv({ DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TICKWORK_KERNEL: KERNEL, NODE_NO_WARNINGS: '1' });
  const child = spawn(process.execPath, [TICKWORK, 'dashboard', '--stage', STAGE, '--table', tableName], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tickwork dashboard printed no link within 30 s:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const link = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output);
      if (link !== null) {
        clearTimeout(timer);
        resolve(link[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`tickwork dashboard exited ${code}:\n${output}`)));
  });
  return { child, url, output: () => output };
}

/** A raw HTTP request, so the test sets Host and Origin headers a browser would not let it. */
function send(url: string, method: string, headers: Record<string, string>, body = ''): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('tickwork dashboard in headless Chromium, against DynamoDB Local', () => {
  const tableName = `test-dashboard-${randomUUID()}`;
  const client = localClient();
  const store = new DynamoDbStore({ tableName, client, deployment: STAGE });
  const schedule: Schedule = buildSchedule(kernel as unknown as (schedule: Schedule) => void);
  const profile = mkdtempSync(join(tmpdir(), 'tickwork-chromium-'));
  /** Where the ticks' local output sinks write (the kernel sends no output anywhere, but the tick needs a root). */
  const outputRoot = mkdtempSync(join(tmpdir(), 'tickwork-dashboard-out-'));
  /** The minute the test started in: its ticks are for the minutes up to it, never ahead of the clock. */
  const start = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
  let dashboard: Awaited<ReturnType<typeof startDashboard>> | undefined;
  let browser: BrowserContext | undefined;
  let page: Page;
  let base: string;

  /** One tick for `minute`, in this process, as the tick Lambda runs it; the clock is the real one, so one-offs queued "now" are due. */
  const tickAt = (minute: number): Promise<TickReport> =>
    runTick({
      tasks: schedule.compiled(),
      commands: schedule.commands,
      sinks: localSinks(outputRoot),
      stage: STAGE,
      store,
      minute: new Date(minute),
      owner: `tick@${new Date(minute).toISOString()}`,
      deadline: Date.now() + 55_000,
      now: Date.now,
      logger,
    });

  beforeAll(async () => {
    await store.ensureTable();
    for (const minute of [start - 4 * MINUTE_MS, start - 3 * MINUTE_MS, start - 2 * MINUTE_MS]) await tickAt(minute);
    dashboard = await startDashboard(tableName);
    base = new URL(dashboard.url).origin;
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 860 } });
    page = await browser.newPage();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (dashboard !== undefined && dashboard.child.exitCode === null) dashboard.child.kill('SIGKILL');
    rmSync(profile, { recursive: true, force: true });
    rmSync(outputRoot, { recursive: true, force: true });
    if (process.env.UPDATE_SCREENSHOTS !== '1') rmSync(IMAGES, { recursive: true, force: true });
    client.destroy();
  });

  it('overview: every task with its schedule in words, last run, and the monitor\'s badges', async () => {
    await page.goto(dashboard!.url);
    // The token went into a cookie and out of the address bar.
    expect(page.url()).toBe(`${base}/`);
    await expect(page.locator('.top .mode').textContent()).resolves.toContain('actions enabled');
    const rows = page.locator('#task-table tbody tr');
    await expect(rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-task')))).resolves.toEqual(['greet', 'invoices:sync', 'reports:daily', 'ledger:export']);

    const row = (task: string) => page.locator(`#task-table tr[data-task="${task}"]`);
    await expect(row('greet').locator('.last .status').textContent()).resolves.toBe('succeeded');
    await expect(row('greet').locator('.state').textContent()).resolves.toMatch(/^ok\s+inline$/);
    await expect(row('invoices:sync').locator('.last .status').textContent()).resolves.toBe('failed');
    await expect(row('invoices:sync').locator('.state').textContent()).resolves.toContain('failing');
    await expect(row('reports:daily').locator('.schedule').textContent()).resolves.toBe('At 02:00, Europe/Paris0 2 * * *');
    await expect(row('reports:daily').locator('.last').textContent()).resolves.toBe('no run recorded');
    await expect(row('ledger:export').locator('.state').textContent()).resolves.toContain('own Lambda');

    // The filter box and sorting, in the page's script.
    await page.fill('#filter', 'daily');
    await expect(rows.evaluateAll((trs) => trs.filter((tr) => !tr.hasAttribute('hidden')).map((tr) => tr.getAttribute('data-task')))).resolves.toEqual(['reports:daily']);
    await page.fill('#filter', '');
    await page.click('button[data-sort="task"]');
    await expect(rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-task')))).resolves.toEqual(['greet', 'invoices:sync', 'ledger:export', 'reports:daily']);
    await page.click('button[data-sort="state"]');
    await expect(rows.first().getAttribute('data-task')).resolves.toBe('invoices:sync');

    mkdirSync(IMAGES, { recursive: true });
    await page.screenshot({ path: join(IMAGES, 'dashboard-overview.png'), fullPage: true });
  });

  it('task page: a failed run shows its error and output, literally (escaped)', async () => {
    await page.goto(`${base}/`);
    await page.click('a[href="/tasks/invoices%3Async"]');
    await expect(page.locator('h1').textContent()).resolves.toBe('invoices:sync');
    const failures = page.locator('#failures article.failure');
    await expect(failures.count()).resolves.toBe(3);
    await expect(failures.first().locator('pre.error').textContent()).resolves.toBe('Error: upstream <b>unavailable</b> & "retrying"');
    await expect(failures.first().locator('pre.output').textContent()).resolves.toBe('fetching <invoices> & "credits"\n');
    // The error is text, not markup: no <b> element made it into the page.
    await expect(page.locator('#failures b').count()).resolves.toBe(0);
    await expect(page.locator('#timeline .mark.status-failed').count()).resolves.toBe(3);

    // The "why" explainer for a picked time.
    await page.fill('input[name="at"]', new Date(start - 2 * MINUTE_MS).toISOString());
    await page.click('.why-form button');
    await expect(page.locator('#why .verdict').textContent()).resolves.toContain('ran and failed: Error: upstream <b>unavailable</b>');
    await page.screenshot({ path: join(IMAGES, 'dashboard-task.png'), fullPage: true });
  });

  it('pause from the page: the next tick skips the task with reason paused, and the page shows it without a reload', async () => {
    await page.goto(`${base}/tasks/greet`);
    await page.fill('.actions input[name="note"]', 'upstream maintenance');
    await page.click('#pause');
    await expect(page.locator('.notice').textContent()).resolves.toBe(`paused task "greet" (${STAGE}): upstream maintenance`);
    // Shown once: the address no longer carries it, so a reload does not announce it again.
    await page.waitForFunction("!location.search.includes('notice=')");
    expect((await store.pauses()).tasks.get('greet')?.note).toBe('upstream maintenance');
    expect(dashboard!.output()).toContain(`paused task "greet" (${STAGE}): upstream maintenance`);

    const report = await tickAt(start - MINUTE_MS);
    expect(report.skipped).toContainEqual({ name: 'greet', reason: 'paused' });
    expect(await store.getRun('greet', new Date(start - MINUTE_MS).toISOString())).toMatchObject({ status: 'skipped', reason: 'paused' });
    // Polling brings the skipped slot in.
    await page.locator('#not-run td.reason', { hasText: 'paused' }).waitFor({ timeout: 15_000 });
    await expect(page.locator('#resume').count()).resolves.toBe(1);
  });

  it('run now from the page: the next tick runs the task once, and resume lifts the pause', async () => {
    await page.goto(`${base}/tasks/reports%3Adaily`);
    await page.click('#run-now');
    await expect(page.locator('.notice').textContent()).resolves.toMatch(new RegExp(`^queued reports:daily for \\S+ \\(${STAGE}\\), slot \\S+#[0-9a-f-]+$`));

    const report = await tickAt(start);
    expect(report.ran).toContain('reports:daily');
    await page.locator('#timeline .mark.status-succeeded').first().waitFor({ timeout: 15_000 });

    await page.goto(`${base}/tasks/greet`);
    await page.click('#resume');
    await expect(page.locator('.notice').textContent()).resolves.toBe(`resumed task "greet" (${STAGE})`);
    expect((await store.pauses()).tasks.size).toBe(0);
  });

  it('backfill from the page: the preview lists the slots without a record, the run fills them in the table, and the page shows them', async () => {
    // greet runs every minute; the test's first tick was for start − 4 min, so the five minutes before
    // it (start − 9 … start − 5 min) have no record.
    const from = start - 9 * MINUTE_MS;
    const slots = [0, 1, 2, 3, 4].map((i) => new Date(from + i * MINUTE_MS).toISOString());
    for (const slot of slots) expect(await store.getRun('greet', slot)).toBeUndefined();
    const outcomes = (id: string) => page.locator(`#${id} tr[data-slot]`).evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-slot'), tr.getAttribute('data-outcome')]));

    await page.goto(`${base}/tasks/greet`);
    await page.fill('.backfill-form input[name="from"]', slots[0]!);
    await page.fill('.backfill-form input[name="to"]', slots[4]!);
    await page.click('#backfill-preview');
    await expect(outcomes('backfill-dry-run')).resolves.toEqual(slots.map((slot) => [slot, 'would-run']));
    await expect(page.locator('#backfill-dry-run .counts').textContent()).resolves.toContain('5 would-run');
    await expect(page.locator('#backfill-run').textContent()).resolves.toBe('Backfill 5 slots');
    for (const slot of slots) expect(await store.getRun('greet', slot)).toBeUndefined();

    await page.click('#backfill-run');
    await page.locator('#backfill-result').waitFor({ timeout: 30_000 });
    await expect(outcomes('backfill-result')).resolves.toEqual(slots.map((slot) => [slot, 'ran']));
    await expect(page.locator('#backfill-result .counts .outcome').textContent()).resolves.toBe('5 succeeded');
    for (const slot of slots) expect(await store.getRun('greet', slot)).toMatchObject({ status: 'succeeded', owner: expect.stringMatching(/^backfill-/) });
    // The runs table, read from the table as every page is, has them too; and the dashboard printed the report as the CLI does.
    const runs = await page.locator('#timeline tr.entry.run').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-slot')));
    expect(runs).toEqual(expect.arrayContaining(slots));
    expect(dashboard!.output()).toMatch(new RegExp(`backfill greet from \\S+ to \\S+ \\(inline, in this process, claims owned by backfill-[0-9a-f-]+\\)`));
    expect(dashboard!.output()).toContain('5 slot(s): 5 succeeded');
  });

  it('without the token: the pages are read-only and actions are refused (403); foreign hosts get nothing', async () => {
    await browser!.clearCookies();
    await page.goto(`${base}/tasks/greet`);
    await expect(page.locator('.top .mode').textContent()).resolves.toContain('read-only: no token');
    await expect(page.locator('#pause, #run-now').count()).resolves.toBe(0);
    const status = await page.evaluate(async () => (await fetch('/actions/pause', { method: 'POST', body: new URLSearchParams({ task: 'greet', note: 'sneaky' }) })).status);
    expect(status).toBe(403);
    // A wrong token neither sets the cookie nor enables anything.
    await page.goto(`${base}/?token=not-the-token`);
    await expect(page.locator('.top .mode').textContent()).resolves.toContain('read-only: no token');

    const host = new URL(base).host;
    expect((await send(`${base}/actions/run`, 'POST', { host, 'content-type': 'application/x-www-form-urlencoded' }, 'task=greet')).status).toBe(403);
    const unclaimed = new Date(start - 10 * MINUTE_MS).toISOString();
    expect((await send(`${base}/actions/backfill`, 'POST', { host, 'content-type': 'application/x-www-form-urlencoded' }, `task=greet&from=${unclaimed}&to=${unclaimed}`)).status).toBe(403);
    expect(await store.getRun('greet', unclaimed)).toBeUndefined();
    // DNS rebinding: a name that resolves to 127.0.0.1 is still not this dashboard.
    expect((await send(`${base}/`, 'GET', { host: `evil.example:${new URL(base).port}` })).status).toBe(403);
    // CSRF: the right cookie, but the request came from another site.
    const token = new URL(dashboard!.url).searchParams.get('token')!;
    const cookie = `tickwork_dashboard_${new URL(base).port}=${token}`;
    expect((await send(`${base}/actions/run`, 'POST', { host, cookie, origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, 'task=greet')).status).toBe(403);
    expect(await store.pauses()).toMatchObject({ all: undefined });
    expect((await store.pauses()).tasks.size).toBe(0);
  });

  it('stops cleanly on Ctrl-C, and a page still open says it is no longer refreshing', async () => {
    await page.goto(`${base}/`);
    const { child } = dashboard!;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    await expect(exited).resolves.toBe(0);
    expect(dashboard!.output()).toContain('dashboard stopped');
    await page.locator('#updated', { hasText: 'not refreshing (the dashboard is not answering)' }).waitFor({ timeout: 15_000 });
  });
});
