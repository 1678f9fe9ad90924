import { duration } from '../../operate/format.js';
import type { HistoryEntry, MissedEntry, RunEntry } from '../../operate/history.js';
import type { TaskDetail } from '../../operate/taskDetail.js';
import type { Explanation } from '../../operate/why.js';
import { html, type SafeHtml } from '../html.js';
import { backfillProgress, backfillSection, type BackfillProgress, type BackfillView } from './backfillSection.js';
import { clock, layout, runBadge, runLook, section, statusBadge, when, type PageContext } from './layout.js';
import { badges } from './overviewPage.js';

/** The "why" explainer's state: the time asked about and its answer, or why the time was refused. */
export type WhyView = { readonly at: string; readonly explanation: Explanation } | { readonly at: string; readonly error: string } | undefined;

/**
 * One task: header and actions, then (refreshed) recent runs as a timeline and a table, failures with
 * their error and output, slots that did not run with their reasons, next runs with DST notes, and the
 * "why" explainer for a time the user picks; last, the backfill form with its preview or result
 * (`backfill`: absent where the dashboard has none).
 * `progress`: a backfill of the task running in this dashboard (in the refreshed part).
 */
export function taskPage(context: PageContext, detail: TaskDetail, why: WhyView, backfill: BackfillView | undefined, progress?: BackfillProgress): SafeHtml {
  const task = detail.overview;
  const path = `/tasks/${encodeURIComponent(task.task)}`;
  // What the script refreshes: this page with its explainer, never a backfill preview or result, which
  // is read once (a preview is up to `limit` reads; a result is a POST's answer).
  const live = why === undefined ? path : `${path}?at=${encodeURIComponent(why.at)}`;
  return layout(
    context,
    task.task,
    html`<p class="crumbs"><a href="/">← all tasks</a></p>
<h1>${task.task}</h1>
${task.description === undefined ? '' : html`<p class="desc">${task.description}</p>`}
<p class="schedule">${task.schedule} · <code>${task.expression}</code></p>
${actions(context, detail, path)}
<form class="why-form" method="get" action="${path}">
  <label>Why did (or will) it run or not at <input name="at" value="${why?.at ?? detail.overview.nextRun ?? ''}" placeholder="2026-11-23T10:05:00Z" size="26" aria-label="Time to explain"></label>
  <button type="submit">Explain</button>
</form>
<div id="live" data-src="${live}">
${backfillProgress(progress)}
<p class="badges">${badges(task)}${task.nextRun === undefined ? '' : html` next run ${when(task.nextRun, context.now)}`}</p>
${whySection(why)}
${section('timeline', 'Recent runs', timeline(detail.entries, context.now))}
${section('failures', `Failures (${detail.failures.length})`, failures(detail.failures))}
${section('not-run', `Skipped and missed (${detail.notRun.length})`, notRun(detail.notRun))}
${section('next-runs', 'Next runs', nextRuns(detail))}
</div>
${backfill === undefined ? '' : backfillSection(context, task.task, path, backfill)}`,
  );
}

function actions(context: PageContext, detail: TaskDetail, path: string): SafeHtml {
  if (!context.canAct) return html`<p class="muted actions-off">${context.readOnly ? 'Read-only dashboard: actions are off.' : 'Read-only: open the link tickwork dashboard printed to pause, resume or run this task.'}</p>`;
  const task = detail.overview.task;
  const hidden = html`<input type="hidden" name="task" value="${task}"><input type="hidden" name="return" value="${path}">`;
  const pauseOrResume =
    detail.overview.paused?.scope === 'task'
      ? html`<form method="post" action="/actions/resume">${hidden}<button type="submit" id="resume">Resume</button></form>`
      : html`<form method="post" action="/actions/pause">${hidden}<input name="note" required placeholder="Why pause it?" aria-label="Pause note"><button type="submit" id="pause">Pause</button></form>`;
  return html`<div class="actions">${pauseOrResume}<form method="post" action="/actions/run">${hidden}<button type="submit" id="run-now" title="queue a one-off run: the next tick runs it">Run now</button></form></div>`;
}

function whySection(why: WhyView): SafeHtml | string {
  if (why === undefined) return '';
  if ('error' in why) return section('why', 'Why', html`<p class="bad">${why.error}</p>`);
  const { explanation } = why;
  const rows = explanation.findings.map((f) => html`<tr><th>${f.step}</th><td>${f.finding}</td></tr>`);
  return section('why', `Why: ${clock(explanation.slot)}`, html`<p class="verdict"><strong>${explanation.verdict}</strong> <span class="muted">(${explanation.match.wallTime} ${explanation.match.zone})</span></p><table class="findings">${rows}</table>`);
}

/** Oldest to newest, left to right: one mark per run, coloured by status, wider the longer it took. */
function timeline(entries: readonly HistoryEntry[], now: number): SafeHtml {
  if (entries.length === 0) return html`<p class="muted">No runs in the last 24 hours.</p>`;
  const marks = [...entries].reverse().map((entry) => {
    const title = entry.kind === 'missed' ? `${entry.from} … ${entry.to}: missed ${entry.count} (${entry.reason})` : markTitle(entry);
    const status = entry.kind === 'missed' ? 'missed' : runLook(entry).status;
    // Width classes w0–w5 by the duration's order of magnitude (the page's CSP allows no inline style).
    const width = entry.kind === 'run' && entry.durationMs !== undefined ? Math.min(5, Math.floor(Math.log10(1 + entry.durationMs))) : 0;
    return html`<li class="mark status-${status} w${width}" title="${title}"></li>`;
  });
  const rows = entries.map((entry) => historyRow(entry, now));
  return html`<ol class="timeline" aria-label="runs, oldest first">${marks}</ol>
<table class="runs"><thead><tr><th>Slot</th><th>Status</th><th>Duration</th><th>Late by</th><th>Attempt</th><th>Reason / error</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** A run's mark: its slot, status, duration, lateness and reason. */
function markTitle(run: RunEntry): string {
  const took = run.durationMs === undefined ? '' : ` in ${duration(run.durationMs)}`;
  const late = run.latenessMs === undefined ? '' : `, ${duration(run.latenessMs)} late`;
  return `${run.slot}: ${runLook(run).text}${took}${late}${run.reason === undefined ? '' : ` (${run.reason})`}`;
}

function historyRow(entry: HistoryEntry, now: number): SafeHtml {
  if (entry.kind === 'missed') {
    return html`<tr class="entry missed"><td>${missedSlots(entry, now)}</td><td>${statusBadge('missed')}</td><td></td><td></td><td></td><td>${entry.reason} (${entry.count} slot${entry.count === 1 ? '' : 's'})</td></tr>`;
  }
  return html`<tr class="entry run" data-slot="${entry.slot}"><td>${when(entry.slot, now)}</td><td>${runBadge(entry)}</td><td>${entry.durationMs === undefined ? '' : duration(entry.durationMs)}</td><td>${
    entry.latenessMs === undefined ? '' : duration(entry.latenessMs)
  }</td><td>${entry.attempt ?? ''}</td><td class="error-cell">${[entry.reason, entry.error].filter(Boolean).join(': ')}</td></tr>`;
}

function missedSlots(entry: MissedEntry, now: number): SafeHtml {
  return entry.count === 1 ? when(entry.from, now) : html`${clock(entry.from)} … ${when(entry.to, now)}`;
}

function failures(runs: readonly RunEntry[]): SafeHtml {
  if (runs.length === 0) return html`<p class="muted">No failed runs in the last 24 hours.</p>`;
  return html`${runs.map(
    (run) => html`<article class="failure" data-slot="${run.slot}">
<h3>${runBadge(run)} ${clock(run.slot)}${run.durationMs === undefined ? '' : html` <span class="muted">after ${duration(run.durationMs)}</span>`}${run.reason === undefined ? '' : html` <span class="muted">(${run.reason})</span>`}</h3>
<pre class="error">${run.error ?? 'no error recorded'}</pre>
${run.output === undefined ? html`<p class="muted">No output.</p>` : html`<details open><summary>Output (last part)</summary><pre class="output">${run.output}</pre></details>`}
</article>`,
  )}`;
}

function notRun(entries: readonly (RunEntry | MissedEntry)[]): SafeHtml {
  if (entries.length === 0) return html`<p class="muted">No skipped or missed slot recorded in the last 24 hours.</p>`;
  const rows = entries.map((entry) =>
    entry.kind === 'missed'
      ? html`<tr><td>${entry.count === 1 ? clock(entry.from) : `${clock(entry.from)} … ${clock(entry.to)}`}</td><td>${statusBadge('missed')}</td><td class="reason">${entry.reason}</td><td>${entry.count} slot${entry.count === 1 ? '' : 's'}, found by the tick of ${clock(entry.tick)}</td></tr>`
      : html`<tr><td>${clock(entry.slot)}</td><td>${statusBadge(entry.status)}</td><td class="reason">${entry.reason ?? ''}</td><td>${entry.error ?? ''}</td></tr>`,
  );
  return html`<table class="not-run"><thead><tr><th>Slot</th><th>What</th><th>Reason</th><th>Detail</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function nextRuns(detail: TaskDetail): SafeHtml {
  if (detail.nextRuns.length === 0) return html`<p class="muted">No run within the next 400 days.</p>`;
  return html`<ul class="next-runs">${detail.nextRuns.map(
    (run) => html`<li><time datetime="${run.at}">${clock(run.at)}</time> <span class="muted">${run.wallTime} ${detail.overview.timezone}</span>${
      run.dstDay === undefined ? '' : html`<div class="dst">DST: ${run.dstDay}</div>`
    }${run.dstRule === undefined ? '' : html`<div class="dst">${run.dstRule}</div>`}</li>`,
  )}</ul>`;
}
