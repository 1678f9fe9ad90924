// The dashboard's HTTP server: node:http, pages rendered on the server from the read model, a small
// script for sorting, filtering and refreshing, and four actions (pause, resume, run now, backfill).
// Listens on 127.0.0.1 only; see security.ts for the Host, token and origin checks every request
// passes first.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidBackfillError, InvalidTaskError } from '../errors.js';
import { isInvalidAction, type ActionResult, type ScheduleActions } from '../operate/actions.js';
import { MAX_BACKFILL_LIMIT, type BackfillReport, type BackfillRequest } from '../operate/backfill.js';
import type { ReadModel } from '../operate/ReadModel.js';
import { backfillFields, backfillRequest, parseUtcTime, type BackfillFields } from './backfillForm.js';
import type { SafeHtml } from './html.js';
import { checkAccess, sameOrigin, tokenCookie, tokenMatches } from './security.js';
import type { BackfillProgress, BackfillView } from './views/backfillSection.js';
import { errorPage, type PageContext } from './views/layout.js';
import { overviewPage } from './views/overviewPage.js';
import { taskPage, type WhyView } from './views/taskPage.js';

const HOUR_MS = 3_600_000;
/** The task page's history: the last day, as `tickwork history` reads by default. */
const TASK_HISTORY = { sinceMs: 24 * HOUR_MS, limit: 100, next: 5 } as const;
/** Action forms are a few fields; anything larger is not one of ours. */
const MAX_BODY_BYTES = 16 * 1024;

const SECURITY_HEADERS = {
  // Scripts and styles only from this server's own files: an injected `<script>` would not run even
  // if escaping ever missed one.
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // Same-origin requests keep their Origin header (a form POST under `no-referrer` sends `Origin: null`);
  // no URL carries the token, so nothing leaks to this origin that it does not already have.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
} as const;

const ASSETS: Record<string, string> = { '/assets/dashboard.css': 'text/css; charset=utf-8', '/assets/dashboard.js': 'text/javascript; charset=utf-8' };

export interface DashboardOptions {
  readonly model: ReadModel;
  /** Absent with `readOnly`. */
  readonly actions?: ScheduleActions;
  /**
   * `backfill()` (src/operate/backfill.ts) on the deployment, built as `tickwork backfill` builds it.
   * Dry runs (the preview) are served to any page of this dashboard, read-only too; real runs are an
   * action. Absent: the task page has no backfill section.
   */
  readonly backfill?: (request: BackfillRequest) => Promise<BackfillReport>;
  readonly token: string;
  readonly readOnly: boolean;
  readonly stage: string;
  readonly table: string;
  /** 0 for a free port. @default 0 */
  readonly port?: number;
  /** Each action's message, as the CLI would print it. */
  readonly log?: (line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface RunningDashboard {
  readonly port: number;
  /** The link with the token: opening it enables actions in that browser. */
  readonly url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Starts the dashboard on 127.0.0.1. */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  let port = 0;
  const backfills = new Map<string, BackfillProgress>();
  const server: Server = createServer((request, response) => {
    handle(request, response, { ...options, port, backfills }).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', `dashboard error: ${error instanceof Error ? error.message : String(error)}\n`);
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    // Read-only, the token enables nothing: the link does not carry one.
    url: options.readOnly ? `http://127.0.0.1:${port}/` : `http://127.0.0.1:${port}/?token=${options.token}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type Handling = DashboardOptions & {
  readonly port: number;
  /** Real backfills running in this dashboard, by task: one at a time per task, and their progress for its page. */
  readonly backfills: Map<string, BackfillProgress>;
};

async function handle(request: IncomingMessage, response: ServerResponse, options: Handling): Promise<void> {
  const access = checkAccess(request.headers, options);
  if (!access.ok) return send(response, access.status, 'text/plain; charset=utf-8', `${access.reason}\n`);
  const url = new URL(request.url ?? '/', `http://127.0.0.1:${options.port}`);

  // The link with the token: keep it in a cookie, and go on without it in the address bar.
  const offered = url.searchParams.get('token');
  if (request.method === 'GET' && offered !== null) {
    url.searchParams.delete('token');
    const headers: Record<string, string> = { location: `${url.pathname}${url.search}` };
    if (tokenMatches(offered, options.token)) headers['set-cookie'] = tokenCookie(options.port, options.token);
    response.writeHead(303, { ...SECURITY_HEADERS, ...headers }).end();
    return;
  }

  const now = (options.now ?? Date.now)();
  // The notice after an action is shown only to the token holder: a link from elsewhere cannot make the
  // page say something of its choosing (the SameSite=Strict cookie is not sent on a cross-site click).
  const context: PageContext = { stage: options.stage, table: options.table, canAct: access.canAct, readOnly: options.readOnly, now, ...(access.canAct ? notice(url) : {}) };

  if (request.method === 'POST' && url.pathname.startsWith('/actions/')) return act(request, response, options, context, url.pathname.slice('/actions/'.length));
  if (request.method !== 'GET' && request.method !== 'HEAD') return page(response, 405, errorPage(context, 405, `${request.method ?? '?'} is not supported here`));

  if (url.pathname in ASSETS) return asset(response, url.pathname);
  if (url.pathname === '/favicon.ico') return void response.writeHead(204, SECURITY_HEADERS).end();
  if (url.pathname === '/') return page(response, 200, overviewPage(context, await options.model.overview(now)));
  const taskPath = /^\/tasks\/([^/]+)$/.exec(url.pathname);
  if (taskPath !== null) {
    let name: string;
    try {
      name = decodeURIComponent(taskPath[1]!);
      options.model.task(name);
    } catch (error) {
      if (error instanceof InvalidTaskError || error instanceof URIError) return page(response, 404, errorPage(context, 404, error.message));
      throw error;
    }
    const fields = backfillFields(url.searchParams);
    if (url.searchParams.has('from') || url.searchParams.has('to')) {
      // The preview: each slot is a read, so a page of another site may not have a browser run one.
      if (!sameOrigin(request.headers, options.port)) return page(response, 403, errorPage(context, 403, 'this request came from another site'));
      const preview = await runBackfill(options, name, fields, true);
      return taskResponse(response, preview.refusal === undefined ? 200 : 400, options, context, name, url.searchParams.get('at'), preview);
    }
    return taskResponse(response, 200, options, context, name, url.searchParams.get('at'), { fields: defaultRange(now) });
  }
  return page(response, 404, errorPage(context, 404, `nothing at ${url.pathname}`));
}

/** A task's page, its backfill section in the state given. */
async function taskResponse(response: ServerResponse, status: number, options: Handling, context: PageContext, name: string, at: string | null, backfill: BackfillView): Promise<void> {
  const now = context.now;
  const [detail, why] = await Promise.all([
    options.model.taskDetail(name, now, { since: new Date(now - TASK_HISTORY.sinceMs), limit: TASK_HISTORY.limit, next: TASK_HISTORY.next }),
    explain(options.model, name, at, now),
  ]);
  page(response, status, taskPage(context, detail, why, options.backfill === undefined ? undefined : backfill, options.backfills.get(name)));
}

/** The form's first range: the hour up to this minute. */
function defaultRange(now: number): BackfillFields {
  const minute = Math.floor(now / 60_000) * 60_000;
  return { from: new Date(minute - HOUR_MS).toISOString(), to: new Date(minute).toISOString(), limit: '' };
}

/**
 * The backfill the fields ask for, as a report, or the refusal that changed nothing: the fields are
 * not a range (`backfillForm.ts`), or `backfill()` refused it before any write.
 */
async function runBackfill(options: Handling, task: string, fields: BackfillFields, dryRun: boolean, onProgress?: BackfillRequest['onProgress']): Promise<BackfillView> {
  if (options.backfill === undefined) return { fields, refusal: { field: 'task', message: 'this dashboard was started without backfill' } };
  try {
    const report = await options.backfill({ ...backfillRequest(task, fields), dryRun, ...(onProgress === undefined ? {} : { onProgress }) });
    return { fields, report };
  } catch (error) {
    if (!(error instanceof InvalidBackfillError)) throw error;
    const hint = error.field === 'limit' && error.message.includes('more than the limit') ? `: narrow from and to, or raise the limit (at most ${MAX_BACKFILL_LIMIT})` : '';
    return { fields, refusal: { field: error.field, message: `${error.message}${hint}` } };
  }
}

/**
 * A real backfill from the preview's button: the slots run in this request (inline tasks in this
 * process), one at a time; other requests are served meanwhile, and the task's page shows the progress.
 * Answered with the task page and the per-slot outcomes (not a redirect: the report is the answer; a
 * resubmission finds its slots claimed and runs nothing twice).
 */
async function backfillAction(response: ServerResponse, options: Handling, context: PageContext, form: URLSearchParams): Promise<void> {
  const task = form.get('task') ?? '';
  try {
    options.model.task(task);
  } catch (error) {
    if (error instanceof InvalidTaskError) return page(response, 400, errorPage(context, 400, error.message));
    throw error;
  }
  const fields = backfillFields(form);
  if (options.backfills.has(task)) {
    return taskResponse(response, 409, options, context, task, null, { fields, refusal: { field: 'task', message: `a backfill of "${task}" is already running in this dashboard: wait for it to end` } });
  }
  options.backfills.set(task, { done: 0, total: 0 });
  let view: BackfillView;
  try {
    view = await runBackfill(options, task, fields, false, ({ done, total }) => options.backfills.set(task, { done, total }));
  } finally {
    options.backfills.delete(task);
  }
  return taskResponse(response, view.refusal === undefined ? 200 : 400, options, { ...context, now: (options.now ?? Date.now)() }, task, null, view);
}

/** The "why" explainer for `?at=`: an ISO-8601 time, as `tickwork why --at` takes it. */
async function explain(model: ReadModel, task: string, at: string | null, now: number): Promise<WhyView> {
  if (at === null || at.trim() === '') return undefined;
  // As the backfill form reads its times: no zone means UTC, like every time on the page.
  const time = parseUtcTime(at);
  if (time === undefined) {
    return { at, error: `expected an ISO-8601 time such as 2026-11-23T10:05:00Z (one without a zone is UTC), got ${JSON.stringify(at)}` };
  }
  return { at, explanation: await model.why(task, time, now) };
}

/** pause, resume, run, backfill: only with the token, from this dashboard's own pages, and not read-only. */
async function act(request: IncomingMessage, response: ServerResponse, options: Handling, context: PageContext, action: string): Promise<void> {
  if (options.readOnly || options.actions === undefined) return page(response, 403, errorPage(context, 403, 'this dashboard was started with --read-only: actions are off'));
  if (!context.canAct) return page(response, 403, errorPage(context, 403, 'actions need the token: open the link tickwork dashboard printed'));
  if (!sameOrigin(request.headers, options.port)) return page(response, 403, errorPage(context, 403, 'this request came from another site'));
  const form = await readForm(request);
  if (form === undefined) return page(response, 413, errorPage(context, 413, 'the form is larger than any of the dashboard\'s'));
  if (action === 'backfill') return backfillAction(response, options, context, form);
  const task = form.get('task') ?? undefined;
  let result: ActionResult;
  try {
    if (action === 'pause') result = await options.actions.pause({ task, note: form.get('note') ?? undefined });
    else if (action === 'resume') result = await options.actions.resume(task);
    else if (action === 'run' && task !== undefined) result = await options.actions.dispatch(task);
    else return page(response, 404, errorPage(context, 404, `no action ${JSON.stringify(action)}${action === 'run' ? ' without a task' : ''}`));
  } catch (error) {
    if (isInvalidAction(error)) return page(response, 400, errorPage(context, 400, error.message));
    throw error;
  }
  options.log?.(result.message);
  const back = new URL(safeReturn(form.get('return')), `http://127.0.0.1:${options.port}`);
  back.searchParams.set('notice', result.message);
  response.writeHead(303, { ...SECURITY_HEADERS, location: `${back.pathname}${back.search}` }).end();
}

/** Where to go after an action: a path on this server, never another site (`//evil.example`). */
/**
 * Where to go back to after an action: a path on this server only. The value is resolved as the browser
 * will resolve it (`/.//evil.example` is `//evil.example`, another site) and must stay on this origin.
 */
function safeReturn(value: string | null): string {
  if (value === null || !value.startsWith('/') || value.includes('\\')) return '/';
  const base = 'http://dashboard.invalid';
  const resolved = new URL(value, base);
  if (resolved.origin !== base || resolved.pathname.startsWith('//')) return '/';
  return `${resolved.pathname}${resolved.search}`;
}

function notice(url: URL): { notice?: string } {
  const text = url.searchParams.get('notice');
  return text === null ? {} : { notice: text.slice(0, 500) };
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function asset(response: ServerResponse, path: string): Promise<void> {
  const body = await readFile(new URL(`.${path}`, import.meta.url));
  send(response, 200, ASSETS[path]!, body);
}

function page(response: ServerResponse, status: number, body: SafeHtml): void {
  send(response, status, 'text/html; charset=utf-8', body.toString());
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type }).end(body);
}

