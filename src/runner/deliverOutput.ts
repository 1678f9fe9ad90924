import type { Logger } from '@aws-lambda-powertools/logger';
import type { TaskDefinition } from '../kernel/types.js';
import type { Mailer } from '../output/Mailer.js';
import type { OutputWriter } from '../output/OutputWriter.js';
import type { TaskResult } from './runTask.js';

/** Where task output goes: files or S3, and mail. */
export interface OutputSinks {
  readonly writer: Pick<OutputWriter, 'write'>;
  readonly mailer: Pick<Mailer, 'send'>;
}

/**
 * Sends a finished run's output where the task asked (`sendOutputTo`, `appendOutputTo`,
 * `emailOutputTo`, `emailOutputOnFailure`). A delivery that fails is logged and never changes the
 * run's outcome: the output is also kept, as an excerpt, on the run record.
 */
export async function deliverOutput(
  definition: TaskDefinition,
  slot: string,
  result: TaskResult,
  sinks: OutputSinks,
  logger: Logger,
): Promise<void> {
  const { file, email, emailOnFailure } = definition.output;
  const deliveries: { target: string; send: () => Promise<unknown> }[] = [];
  if (file !== undefined) {
    deliveries.push({ target: file.target, send: () => sinks.writer.write(file.target, result.output, { append: file.append }) });
  }
  const subject = `[tickwork] ${definition.name} ${result.status} (${slot})`;
  // Mail always has a body: SES refuses an empty one, and a blank mail reads like a bug.
  const body = result.output.trim() === '' ? '(no output)\n' : result.output;
  if (email !== undefined && (!email.onlyIfOutput || result.output.trim() !== '')) {
    deliveries.push({ target: `mail to ${email.to.join(', ')}`, send: () => sinks.mailer.send({ to: email.to, subject, text: body }) });
  }
  // Failed and timed-out runs only: a `replaced` run was stopped on purpose, for a newer slot, and did not fail.
  if (emailOnFailure !== undefined && (result.status === 'failed' || result.status === 'timed-out')) {
    const text = `${result.error}\n\n${body}`;
    deliveries.push({ target: `mail to ${emailOnFailure.to.join(', ')}`, send: () => sinks.mailer.send({ to: emailOnFailure.to, subject, text }) });
  }
  await Promise.all(
    deliveries.map(async ({ target, send }) => {
      try {
        await send();
      } catch (error) {
        logger.warn('output delivery failed', { task: definition.name, slot, target, error: error instanceof Error ? error.message : String(error) });
      }
    }),
  );
}
