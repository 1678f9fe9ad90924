import { duration } from '../../operate/format.js';
import { DEFAULT_BACKFILL_LIMIT, MAX_BACKFILL_LIMIT, outcomeCounts, type BackfillReport, type BackfillSlot } from '../../operate/backfill.js';
import { NO_OUTCOME } from '../../operate/stranded.js';
import type { BackfillFields } from '../backfillForm.js';
import { html, type SafeHtml } from '../html.js';
import { clock, section, statusBadge, type PageContext } from './layout.js';

/** The backfill form's state: the fields as typed, and the dry run's or the real run's report, or why it was refused. */
export interface BackfillView {
  readonly fields: BackfillFields;
  readonly report?: BackfillReport;
  readonly refusal?: { readonly field: string; readonly message: string };
}

/** How far a backfill running in this dashboard has got (shown in the refreshed part of its task's page). */
export interface BackfillProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * The task page's backfill: a range form whose "Preview" is a dry run (a GET: it reads the table and
 * writes nothing, so it is offered without the token too), the slots it found with their counts, and
 * for the token holder a "Backfill N slots" button that posts the same range to /actions/backfill.
 */
export function backfillSection(context: PageContext, task: string, path: string, view: BackfillView): SafeHtml {
  const { fields } = view;
  const invalid = (field: string) => (view.refusal?.field === field ? html` aria-invalid="true"` : '');
  return section(
    'backfill',
    'Backfill',
    html`<p class="muted">Run this task's slots in a past range, as the tick would have (<code>tickwork backfill</code>): a slot already claimed or decided is left alone. Preview is a dry run: it reads the table and writes nothing.</p>
<form class="backfill-form" method="get" action="${path}#backfill">
  <label>From <input name="from" value="${fields.from}" placeholder="2026-11-23T10:00:00Z" size="24" required${invalid('from')}></label>
  <label>To <input name="to" value="${fields.to}" placeholder="2026-11-23T10:05:00Z" size="24" required${invalid('to')}></label>
  <label>Limit <input name="limit" value="${fields.limit}" placeholder="${DEFAULT_BACKFILL_LIMIT}" size="6" inputmode="numeric" title="at most ${MAX_BACKFILL_LIMIT} slots"${invalid('limit')}></label>
  <span class="muted">UTC (a time without a zone is UTC)</span>
  <button type="submit" id="backfill-preview">Preview</button>
</form>
${view.refusal === undefined ? '' : html`<p class="bad refusal" id="backfill-refusal" data-field="${view.refusal.field}" role="alert"><strong>${view.refusal.field}:</strong> ${view.refusal.message}</p>`}
${view.report === undefined ? '' : report(context, task, path, fields, view.report)}`,
  );
}

function report(context: PageContext, task: string, path: string, fields: BackfillFields, report: BackfillReport): SafeHtml {
  const counts = [...outcomeCounts(report.slots)].map(([key, n]) => html`<span class="outcome outcome-${key}" data-outcome="${key}">${n} ${key}</span> `);
  const heading = `${report.dryRun ? 'Preview' : 'Backfilled'}: ${report.slots.length} slot${report.slots.length === 1 ? '' : 's'} from ${clock(report.from)} to ${clock(report.to)}`;
  const rows = report.slots.map((slot) => html`<tr data-slot="${slot.slot}" data-outcome="${slot.outcome}"><td>${clock(slot.slot)}</td><td>${outcome(slot)}</td><td>${detail(slot)}</td></tr>`);
  return html`<div class="backfill-report" id="backfill-${report.dryRun ? 'dry-run' : 'result'}">
<h3>${heading}</h3>
<p class="counts">${counts.length === 0 ? 'No slot of the task in this range.' : counts}${report.dryRun ? '' : html` <span class="muted">claims owned by <code>${report.owner}</code></span>`}</p>
${rows.length === 0 ? '' : html`<table class="backfill-slots"><thead><tr><th>Slot</th><th>Outcome</th><th>Detail</th></tr></thead><tbody>${rows}</tbody></table>`}
${report.dryRun ? runForm(context, task, path, fields, report) : ''}
</div>`;
}

/** The button that runs what was previewed, for the token holder; what would happen, for everyone. */
function runForm(context: PageContext, task: string, path: string, fields: BackfillFields, report: BackfillReport): SafeHtml {
  const count = report.slots.filter((s) => s.outcome === 'would-run').length;
  if (count === 0) return html`<p class="muted">Nothing to backfill in this range.</p>`;
  const where =
    report.runsIn === 'inline'
      ? 'They run inline, in this dashboard\'s process, one after another: the request lasts until the last one ends, and the runs appear above as they are recorded.'
      : 'Each is sent to the task\'s own Lambda through the dispatcher this dashboard was started with (TICKWORK_DISPATCHER); without one, each is queued for the deployed tick to send.';
  if (!context.canAct) {
    return html`<p class="muted">${count} slot${count === 1 ? '' : 's'} would run. ${context.readOnly ? 'This dashboard is read-only: run it with tickwork backfill.' : 'Open the link tickwork dashboard printed to run it from here.'}</p>`;
  }
  const label = `Backfill ${count} slot${count === 1 ? '' : 's'}`;
  return html`<form class="backfill-run" method="post" action="/actions/backfill#backfill">
<input type="hidden" name="task" value="${task}"><input type="hidden" name="from" value="${report.from}"><input type="hidden" name="to" value="${report.to}"><input type="hidden" name="limit" value="${fields.limit}"><input type="hidden" name="return" value="${path}">
<button type="submit" id="backfill-run" data-busy="Backfilling ${count} slot${count === 1 ? '' : 's'}…">${label}</button>
<span class="muted">${where}</span>
</form>`;
}

function outcome(slot: BackfillSlot): SafeHtml {
  if (slot.outcome === 'ran') return statusBadge(slot.status, `ran: ${slot.status}`);
  return html`<span class="outcome outcome-${slot.outcome}">${slot.outcome}</span>`;
}

function detail(slot: BackfillSlot): string {
  switch (slot.outcome) {
    case 'would-run':
      return 'nothing holds it; when() and skip() are decided when it runs';
    case 'filtered':
      return `not due: ${slot.reason}`;
    case 'already-claimed':
      return `held by ${slot.holder.owner} (${slot.holder.stranded === true ? `running, ${NO_OUTCOME}` : slot.holder.status}): left alone`;
    case 'ran':
      return [slot.durationMs === undefined ? '' : `in ${duration(slot.durationMs)}`, slot.error ?? ''].filter(Boolean).join(': ');
    case 'skipped':
      return slot.reason;
    case 'dispatched':
      return 'sent to its Lambda';
    case 'not-dispatched':
      return `${slot.error}${slot.requeued ? ' (queued for the deployed tick to send)' : ''}`;
    case 'deferred':
      return `not claimed: the lease is held by ${slot.holder.owner} for ${clock(slot.holder.slot)} until ${clock(slot.holder.expiresAt)}; backfill again later`;
  }
}

/** The line the refreshed part of the page shows while a backfill of the task runs in this dashboard. */
export function backfillProgress(progress: BackfillProgress | undefined): SafeHtml | string {
  if (progress === undefined) return '';
  return html`<p class="backfill-progress" id="backfill-progress" role="status">A backfill is running in this dashboard: ${progress.done} of ${progress.total} slots done.</p>`;
}
