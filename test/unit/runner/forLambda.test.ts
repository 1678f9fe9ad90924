import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { forLambda } from '../../../src/runner/forLambda.js';
import { captureJsonLines, lambdaContext } from '../metrics/emf.js';

const withRemaining = (requestId: string, remainingMs: number): Context => ({ ...lambdaContext(requestId), getRemainingTimeInMillis: () => remainingMs });

describe('forLambda: what every Tickwork handler needs around an invocation', () => {
  it('every line logged during an invocation carries its Lambda context; keys a run appended are gone after it', async () => {
    const logger = new Logger({ serviceName: 'tickwork' });
    const handler = forLambda(logger, async () => {
      logger.appendKeys({ task: 'reports:daily' });
      logger.info('ran');
      return 'done';
    });
    const lines = await captureJsonLines(async () => {
      expect(await handler({}, lambdaContext('req-7'))).toBe('done');
      logger.info('between invocations');
    });
    expect(lines[0]).toMatchObject({ message: 'ran', function_request_id: 'req-7', function_name: 'tickwork-test', task: 'reports:daily' });
    expect(lines[1]).toMatchObject({ message: 'between invocations' });
    expect(lines[1]).not.toHaveProperty('task');
  });

  it('logs each event when POWERTOOLS_LOGGER_LOG_EVENT is true, as Powertools\' middleware did', async () => {
    const saved = process.env.POWERTOOLS_LOGGER_LOG_EVENT;
    process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
    try {
      const logger = new Logger({ serviceName: 'tickwork' });
      const lines = await captureJsonLines(() => forLambda(logger, async () => 'done')({ time: '2026-11-30T10:00:00Z' }, lambdaContext('req-11')));
      expect(lines).toContainEqual(expect.objectContaining({ message: 'Lambda invocation event', event: { time: '2026-11-30T10:00:00Z' } }));
    } finally {
      if (saved === undefined) delete process.env.POWERTOOLS_LOGGER_LOG_EVENT;
      else process.env.POWERTOOLS_LOGGER_LOG_EVENT = saved;
    }
  });

  it('with abortEarlyMs, a run still going that long before the timeout has its signal aborted and the invocation ends with a TimeoutError', async () => {
    const logger = new Logger({ serviceName: 'tickwork', logLevel: 'SILENT' });
    let aborted = false;
    const handler = forLambda(logger, (_event, _context, { signal }) => new Promise<string>((resolve) => signal.addEventListener('abort', () => ((aborted = true), resolve('too late')))), { abortEarlyMs: 450 });
    const started = Date.now();
    await expect(handler({}, withRemaining('req-8', 500))).rejects.toMatchObject({ name: 'TimeoutError', message: expect.stringContaining('450 ms before') });
    expect(aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(450);
  });

  it('a run that ends in time is answered as it ended, its signal untouched; no timer is left behind', async () => {
    const logger = new Logger({ serviceName: 'tickwork', logLevel: 'SILENT' });
    let signalSeen: AbortSignal | undefined;
    const handler = forLambda(logger, async (_event, _context, { signal }) => ((signalSeen = signal), 'ok'), { abortEarlyMs: 500 });
    expect(await handler({}, withRemaining('req-9', 60_000))).toBe('ok');
    expect(signalSeen?.aborted).toBe(false);
    const failing = forLambda(logger, async () => Promise.reject(new Error('task failed')), { abortEarlyMs: 500 });
    await expect(failing({}, withRemaining('req-10', 60_000))).rejects.toThrow('task failed');
  });

  it('called without a Lambda context (a test, a container), the handler runs with no early stop', async () => {
    const logger = new Logger({ serviceName: 'tickwork', logLevel: 'SILENT' });
    const handler = forLambda(logger, async (event) => event, { abortEarlyMs: 500 });
    expect(await handler('event', undefined as unknown as Context)).toBe('event');
  });
});
