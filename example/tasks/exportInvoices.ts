import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskContext } from 'tickwork';

/**
 * Example fan-out task: heavy enough to want its own Lambda (memory, timeout) rather than a share of
 * the tick's minute. Scheduled every five minutes; `dispatchAt()` can also queue a one-off run for a
 * single customer, which arrives as `payload`.
 */
export async function exportInvoices({ logger, signal, scheduledAt, fence, payload, write }: TaskContext): Promise<void> {
  const customer = (payload as { customer?: unknown } | undefined)?.customer;
  await sleep(500, undefined, { signal });
  write(`exported invoices up to ${scheduledAt.toISOString()}${customer === undefined ? '' : ` for customer ${String(customer)}`}\n`);
  logger.info('invoices exported', { upTo: scheduledAt.toISOString(), fence, ...(customer === undefined ? {} : { customer }) });
}
