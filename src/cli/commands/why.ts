// `tickwork why <task> --at T`: the decision for one slot, from the kernel (does the expression match,
// in the task's zone, with the DST rule that applied; which filter decided) and from the table (paused,
// claimed by whom, overlapping, coalesced by catch-up, dispatched, its outcome). Future times too.
import Table from 'cli-table3';
import type { Explanation } from '../../operate/why.js';
import type { Project } from '../project.js';
import { paint, tableStyle, withReadModel, type ReadOptions } from './readModel.js';

export interface WhyCommandOptions extends ReadOptions {
  /** The slot to explain (a required option). */
  readonly at: Date;
}

export async function why(project: Project, task: string, options: WhyCommandOptions, colour: boolean): Promise<void> {
  const explanation = await withReadModel(project, options, task, (model) => model.why(task, options.at, Date.now()));
  process.stdout.write(options.json ? `${JSON.stringify(explanation, null, 2)}\n` : render(explanation, colour));
}

function render(explanation: Explanation, colour: boolean): string {
  const headline = `${explanation.task} @ ${explanation.slot} (${explanation.match.wallTime} ${explanation.match.zone}): ${paint(colour, 'bold', explanation.verdict)}`;
  // Wrapped to fit a terminal; one line per finding for pipes, so grep finds whole sentences.
  const table = new Table({ ...tableStyle(colour), ...(colour ? { wordWrap: true, colWidths: [12, 96] } : {}) });
  for (const { step, finding } of explanation.findings) table.push([step, finding]);
  return `${headline}\n${table.toString()}\n`;
}
