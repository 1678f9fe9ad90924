import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanStop, launchNpmStart, recentFiveMinuteSlot, type NpmStart } from './npmStart.js';

const STAGE = 'lambdatest';
const { iso: SLOT, hhmm: HHMM } = recentFiveMinuteSlot();

/**
 * The other dispatcher end to end: `npm start` with `TICKWORK_DISPATCHER=lambda`. The tick hands the
 * fan-out task to its own function with an asynchronous Invoke on serverless-offline's Lambda API
 * (`AWS_ENDPOINT_URL_LAMBDA`, set by the start script) instead of through the local EventBridge, and
 * that function records the run in DynamoDB Local.
 */
describe('npm start with TICKWORK_DISPATCHER=lambda (serverless-offline Lambda invoke API)', () => {
  let app: NpmStart;

  beforeAll(async () => {
    app = await launchNpmStart(STAGE, { TICKWORK_DISPATCHER: 'lambda' });
  });

  afterAll(() => app?.kill());

  it('generates the fan-out function without an EventBridge rule, for the Lambda dispatcher', async () => {
    expect(app.output()).toContain('Tickwork: 1 fan-out function(s) via lambda: taskInvoicesExport');
    // serverless-offline lists the invokable names just after it starts listening: wait for the line.
    const listed = `taskInvoicesExport: tickwork-${STAGE}-taskInvoicesExport`;
    await app.waitFor(() => app.output().includes(listed), 10_000, 'the function list');
  });

  it('invokes the task\'s own function from the tick, and that function records the run', async () => {
    const report = await app.invokeTick({ time: SLOT });
    expect(report).toMatchObject({ tick: SLOT, dispatched: ['invoices:export'], undispatched: [], retried: 0 });

    const record = await app.waitForRun('invoices:export', SLOT, 'succeeded');
    expect(record).toMatchObject({ status: 'succeeded', owner: expect.any(String), output: `exported invoices up to ${SLOT}\n` });
    // Run by the task's own function, not by the tick.
    // The record is written before the outcome is logged: wait for the lines rather than race them.
    await app.waitFor(() => new RegExp(`${HHMM}:00 {2}✔ invoices:export +ran in \\d+ ms`).test(app.output()), 10_000, 'the worker\'s outcome line');
    await app.waitFor(() => /\(λ: taskInvoicesExport\) RequestId: [\w-]+/.test(app.output()), 10_000, 'the task function\'s invocation line');
  });

  it('stops serverless offline and DynamoDB Local on SIGINT and exits 0', async () => {
    await expectCleanStop(app);
  });
});
