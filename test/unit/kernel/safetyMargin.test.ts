import { describe, expect, it } from 'vitest';
import { SAFETY_MARGIN_SECONDS } from '../../../src/kernel/runBudget.js';
import { DEFAULT_SAFETY_MARGIN_MS } from '../../../src/runner/createTickHandler.js';

// That the deployed tick's timeout is TICK_TIMEOUT_SECONDS: test/integration/package.test.ts.
describe('the run budget the kernel checks against', () => {
  it("SAFETY_MARGIN_SECONDS is the handlers' default safety margin", () => {
    expect(SAFETY_MARGIN_SECONDS * 1000).toBe(DEFAULT_SAFETY_MARGIN_MS);
  });
});
