import { duration } from '../../operate/format.js';
import type { RunEntry } from '../../operate/history.js';
import { NO_OUTCOME } from '../../operate/stranded.js';
import { RUN_STATUS, type RunStatus } from '../../vocabulary.js';
import { html, type HtmlValue, type SafeHtml } from '../html.js';

/** What every page knows about the request it answers. */
export interface PageContext {
  /** The stage and table the dashboard reads. */
  readonly stage: string;
  readonly table: string;
  /** The request carries the token and the dashboard is not read-only. */
  readonly canAct: boolean;
  /** Started with `--read-only`: no actions at all. */
  readonly readOnly: boolean;
  /** One line to show above the page: what an action just did. */
  readonly notice?: string;
  /** The instant the page was judged at (epoch ms). */
  readonly now: number;
}

/** How often the page script reloads the live part of a page. */
export const REFRESH_SECONDS = 3;

/** The page around `main`: the live part (`#live`) is what the script refreshes. */
export function layout(context: PageContext, title: string, main: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Tickwork</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/dashboard.js" defer></script>
</head>
<body data-refresh-seconds="${REFRESH_SECONDS}">
<header class="top">
  <a class="brand" href="/">Tickwork</a>
  <span class="where">stage <strong>${context.stage}</strong> · table <code>${context.table}</code></span>
  <span class="mode">${modeBadge(context)}</span>
  <span class="updated" id="updated" title="refreshed every ${REFRESH_SECONDS} s">as of ${clock(context.now)}</span>
</header>
${context.notice === undefined ? '' : html`<p class="notice" role="status">${context.notice}</p>`}
<main>
${main}
</main>
</body>
</html>
`;
}

function modeBadge(context: PageContext): SafeHtml {
  if (context.readOnly) return html`<span class="badge muted" title="started with --read-only">read-only</span>`;
  if (!context.canAct) return html`<span class="badge muted" title="open the link tickwork dashboard printed (it carries the token) to pause, resume or run tasks">read-only: no token</span>`;
  return html`<span class="badge ok" title="this browser holds the dashboard's token">actions enabled</span>`;
}

/** `2026-11-23 10:05:00 UTC`. */
export function clock(ms: number | string): string {
  const date = typeof ms === 'string' ? new Date(ms.split('#')[0]!) : new Date(ms);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `in 3 min` / `5 min ago`, relative to `now`. */
export function relative(at: string, now: number): string {
  const delta = Date.parse(at.split('#')[0]!) - now;
  if (Math.abs(delta) < 1000) return 'now';
  return delta > 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`;
}

/** A `<time>` with the instant, and how far it is from now. */
export function when(at: string, now: number): SafeHtml {
  return html`<time datetime="${at.split('#')[0]}" title="${at}">${clock(at)}</time> <span class="rel">(${relative(at, now)})</span>`;
}

/** A run status as a coloured badge. */
export function statusBadge(status: RunStatus | 'missed', text: HtmlValue = status): SafeHtml {
  return html`<span class="status status-${status}">${text}</span>`;
}

/** How a run record shows: its status, or `no outcome` in a failure's colour for a stranded run. */
export function runLook(run: Pick<RunEntry, 'status' | 'stranded'>): { readonly status: RunStatus; readonly text: string } {
  return run.stranded === true ? { status: RUN_STATUS.failed, text: NO_OUTCOME } : { status: run.status, text: run.status };
}

/** A run record's badge (`runLook`). */
export function runBadge(run: Pick<RunEntry, 'status' | 'stranded'>): SafeHtml {
  const { status, text } = runLook(run);
  return statusBadge(status, text);
}

/** A page's section with a heading. */
export function section(id: string, title: string, body: HtmlValue): SafeHtml {
  return html`<section id="${id}"><h2>${title}</h2>${body}</section>`;
}

/** An error page: what went wrong, and the way back. */
export function errorPage(context: PageContext, status: number, message: string): SafeHtml {
  return layout(context, `Error ${status}`, html`<section class="error"><h1>${status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : 'Cannot do that'}</h1><p>${message}</p><p><a href="/">Back to the overview</a></p></section>`);
}
