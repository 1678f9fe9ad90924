import type { Overview, TaskOverview } from '../../operate/overview.js';
import { duration } from '../../operate/format.js';
import { html, type SafeHtml } from '../html.js';
import { clock, layout, runBadge, section, when, type PageContext } from './layout.js';

/**
 * The overview: every task with its schedule in words and as an expression, next run, last run,
 * late/failing/paused badges and where it runs; sortable by column and filtered by the box (the page
 * script does both on the rows' `data-*` values).
 */
export function overviewPage(context: PageContext, overview: Overview): SafeHtml {
  const rows = overview.tasks.map((task) => taskRow(task, context.now));
  return layout(
    context,
    'Overview',
    html`${schedulerActions(context, overview)}
<div id="live">
${schedulerLine(overview)}
${section(
  'tasks',
  `Tasks (${overview.tasks.length})`,
  html`<p class="tools"><input type="search" id="filter" placeholder="Filter tasks…" aria-label="Filter tasks" autocomplete="off"></p>
<table class="tasks sortable" id="task-table">
<thead><tr>
<th><button type="button" data-sort="task">Task</button></th>
<th>Schedule</th>
<th><button type="button" data-sort="next">Next run</button></th>
<th><button type="button" data-sort="last">Last run</button></th>
<th><button type="button" data-sort="state">State</button></th>
</tr></thead>
<tbody>${rows}</tbody>
</table>`,
)}
</div>`,
  );
}

function schedulerLine(overview: Overview): SafeHtml {
  const { scheduler } = overview;
  const tick = scheduler.lastTick === undefined ? 'no tick has run in this deployment yet' : html`last tick ${clock(scheduler.lastTick)}`;
  return html`<p class="scheduler ${scheduler.late ? 'bad' : ''}" id="scheduler">Scheduler: ${tick}${scheduler.late ? html` <span class="badge bad">tick late</span>` : ''}${
    scheduler.paused === undefined ? '' : html` <span class="badge paused" title="since ${clock(scheduler.paused.pausedAt)}">paused: ${scheduler.paused.note}</span>`
  }</p>`;
}

function schedulerActions(context: PageContext, overview: Overview): SafeHtml | string {
  if (!context.canAct) return '';
  if (overview.scheduler.paused !== undefined) {
    return html`<form class="actions" method="post" action="/actions/resume"><input type="hidden" name="return" value="/"><button type="submit">Resume the scheduler</button></form>`;
  }
  return html`<form class="actions" method="post" action="/actions/pause"><input type="hidden" name="return" value="/"><input name="note" required placeholder="Why pause every task?" aria-label="Pause note"><button type="submit">Pause the scheduler</button></form>`;
}

/** Worst first when sorted by state: late, failing, paused, fine. */
function stateRank(task: TaskOverview): number {
  if (task.late !== undefined) return 0;
  if (task.failing) return 1;
  if (task.paused !== undefined) return 2;
  return 3;
}

function taskRow(task: TaskOverview, now: number): SafeHtml {
  const search = [task.task, task.description, task.schedule, task.expression, task.lastRun?.status].filter(Boolean).join(' ').toLowerCase();
  return html`<tr data-task="${task.task}" data-search="${search}" data-sort-task="${task.task.toLowerCase()}" data-sort-next="${task.nextRun ?? '~'}" data-sort-last="${task.lastRun?.slot ?? ''}" data-sort-state="${stateRank(task)}">
<td class="name"><a href="/tasks/${encodeURIComponent(task.task)}">${task.task}</a>${task.description === undefined ? '' : html`<div class="desc">${task.description}</div>`}</td>
<td class="schedule">${task.schedule}<div><code>${task.expression}</code></div></td>
<td class="next">${task.nextRun === undefined ? '—' : when(task.nextRun, now)}</td>
<td class="last">${lastRun(task, now)}</td>
<td class="state">${badges(task)}</td>
</tr>`;
}

function lastRun(task: TaskOverview, now: number): SafeHtml | string {
  const run = task.lastRun;
  if (run === undefined) return html`<span class="muted">no run recorded</span>`;
  const detail = [run.durationMs === undefined ? undefined : duration(run.durationMs), run.reason].filter((part): part is string => part !== undefined);
  return html`${runBadge(run)}${detail.length === 0 ? '' : html` <span class="detail">${detail.join(' · ')}</span>`}<div class="slot">${when(run.slot, now)}</div>`;
}

/** The overview's badges: the monitor's verdicts, the pause, and where the task runs. */
export function badges(task: TaskOverview): SafeHtml {
  return html`${task.late === undefined ? '' : html`<span class="badge bad" title="${task.late.slot}: ${task.late.why}">late</span> `}${
    task.failing ? html`<span class="badge bad" title="its latest finished run failed, or was left running with no outcome">failing</span> ` : ''
  }${task.paused === undefined ? '' : html`<span class="badge paused" title="${task.paused.scope === 'task' ? 'this task' : 'the whole scheduler'} since ${clock(task.paused.pausedAt)}: ${task.paused.note}">paused${task.evenWhenPaused ? ' (runs anyway)' : ''}</span> `}${
    task.late === undefined && !task.failing && task.paused === undefined ? html`<span class="badge ok">ok</span> ` : ''
  }<span class="badge muted">${task.lambda ? 'own Lambda' : 'inline'}</span>`;
}
