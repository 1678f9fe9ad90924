import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Scheduled } from '../../../src/kernel/Scheduled.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { InvalidTaskError } from '../../../src/errors.js';
import type { TaskDefinition } from '../../../src/kernel/types.js';

/** The parts of a definition that say what and when (handlers are functions, compared separately). */
const shape = (d: TaskDefinition) => ({ ...d, action: d.action.type, hooks: undefined });

function fluentEquivalent(): readonly TaskDefinition[] {
  const schedule = new Schedule();
  schedule.call(() => {}).name('reports:daily').cron('0 2 * * *').timezone('Europe/Paris').withoutOverlapping(30);
  schedule.call(() => {}).name('reports:refresh').cron('*/5 * * * *').description('Refreshes caches').environments('prod');
  return schedule.tasks();
}

describe('@Scheduled', () => {
  it('(as compiled here: legacy decorators) produces the definitions the fluent API does, bound to the instance', async () => {
    class Reports {
      calls: string[] = [];
      @Scheduled('0 2 * * *', { name: 'reports:daily', timezone: 'Europe/Paris', withoutOverlapping: 30 })
      async daily(context: { slot: string }): Promise<void> {
        this.calls.push(context.slot);
      }
      @Scheduled('*/5 * * * *', { name: 'reports:refresh', description: 'Refreshes caches', environments: ['prod'] })
      refresh(): void {}
    }
    const reports = new Reports();
    const schedule = new Schedule();
    schedule.register(reports);

    expect(schedule.tasks().map(shape)).toEqual(fluentEquivalent().map(shape));
    const daily = schedule.tasks()[0]?.action;
    if (daily?.type !== 'call') throw new Error('expected a call task');
    await daily.handler({ slot: 'S' } as never);
    expect(reports.calls).toEqual(['S']);
  });

  describe('as bundled for deployment (esbuild, standard decorators)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickwork-decorators-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('produces the same definitions', async () => {
      const outfile = join(dir, 'kernel.mjs');
      await build({
        entryPoints: [resolve('test/fixtures/decorated-kernel.ts')],
        bundle: true, platform: 'node', format: 'esm', target: 'node22', outfile, logLevel: 'silent',
        banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      });
      const bundled = await import(pathToFileURL(outfile).href);
      const tasks: TaskDefinition[] = bundled.tasks();
      expect(tasks.map(shape)).toEqual(fluentEquivalent().map(shape));
    });
  });

  it('needs a name, and decorates methods only', () => {
    expect(() => Scheduled('* * * * *', {} as never)(() => {}, { kind: 'method', name: 'm', static: false } as never))
      .toThrow("@Scheduled on m needs options with a name: { name: 'reports:daily' }");
    expect(() => Scheduled('* * * * *', { name: 'x' })(() => {}, { kind: 'field', name: 'f', static: false } as never))
      .toThrow(InvalidTaskError);
  });
});
