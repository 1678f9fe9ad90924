import { join } from 'node:path';
import { OutboxMailTransport } from '../output/MailTransport.js';
import { Mailer } from '../output/Mailer.js';
import { OutputWriter } from '../output/OutputWriter.js';
import type { OutputSinks } from './deliverOutput.js';

/**
 * Output sinks for running on a developer's machine: nothing leaves it. Relative file targets and
 * S3 targets land under `<root>/.tickwork/`, mail in `<root>/.tickwork/outbox/`.
 */
export function localSinks(root: string): OutputSinks {
  const local = join(root, '.tickwork');
  return {
    writer: new OutputWriter({ root: local }),
    mailer: new Mailer({ from: 'tickwork@tickwork.local', transport: new OutboxMailTransport(join(local, 'outbox')) }),
  };
}
