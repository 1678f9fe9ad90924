import { DynamoDBClient, InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { dynamoDbClientConfig } from '../../src/aws/dynamoDbClientConfig.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/dynamoDbLocal.js';

export { seeded } from '../seeded.js';

/** Waits for the table's answer, then drops it: the caller sees a reset, which the SDK retries. */
async function loseReply(sent: Promise<unknown>): Promise<never> {
  await sent.catch(() => undefined); // applied (or refused) by the table; nobody hears the answer
  throw Object.assign(new Error('injected: socket hang up after the request was sent'), { code: 'ECONNRESET' });
}


/** Shares of requests that meet each fault; the rest pass untouched. */
export interface FaultRates {
  /** Refused before reaching the table, as DynamoDB throttles. */
  readonly throttle: number;
  /** Refused before reaching the table with a 500. */
  readonly serverError: number;
  /** Reach the table and are applied, but the reply (success or a failed condition) is lost: a reset. */
  readonly lostReply: number;
  /** Answered late (50–250 ms). */
  readonly slow: number;
}

export interface FaultCounts {
  requests: number;
  throttle: number;
  serverError: number;
  lostReply: number;
  slow: number;
}

const DATA_COMMANDS = new Set(['GetItemCommand', 'PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'QueryCommand', 'TransactWriteItemsCommand']);

/**
 * A DynamoDB client for the DynamoDB Local the global setup started, configured as Tickwork's Lambdas
 * configure theirs (`dynamoDbClientConfig`), with a middleware inside the SDK's retry loop that injects
 * faults into each attempt while `active()` says so. Lost replies are real: the request reaches DynamoDB
 * Local and is applied before its answer is replaced by a connection reset, which the SDK retries.
 */
export function faultyClient(options: {
  readonly rates: FaultRates;
  readonly random: () => number;
  readonly active: () => boolean;
  readonly counts: FaultCounts;
  /**
   * Asked first for every data request: true loses this attempt's reply after the table applied it,
   * whatever the rates say; a function does the same, and runs (another writer's turn) before the reply is lost.
   */
  readonly loseReply?: (command: string) => boolean | (() => Promise<unknown>);
  /** Awaited before each data request is sent, with the request's input: another writer's turn before it. */
  readonly beforeSend?: (command: string, input: unknown) => Promise<void> | undefined;
}): DynamoDBClient {
  const client = new DynamoDBClient({ ...dynamoDbClientConfig(), endpoint: inject('dynamoEndpoint'), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const { rates, random, counts } = options;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      if (!DATA_COMMANDS.has(command)) return next(args);
      await options.beforeSend?.(command, args.input);
      const lose = options.loseReply?.(command);
      if (lose === true) return loseReply(next(args));
      if (typeof lose === 'function') return loseReply(next(args).finally(lose));
      if (!options.active()) return next(args);
      counts.requests++;
      let r = random();
      if ((r -= rates.throttle) < 0) {
        counts.throttle++;
        throw new ProvisionedThroughputExceededException({ message: 'injected: throughput exceeded', $metadata: { httpStatusCode: 400 } });
      }
      if ((r -= rates.serverError) < 0) {
        counts.serverError++;
        throw new InternalServerError({ message: 'injected: internal server error', $metadata: { httpStatusCode: 500 } });
      }
      if ((r -= rates.lostReply) < 0) {
        counts.lostReply++;
        return loseReply(next(args));
      }
      if ((r -= rates.slow) < 0) {
        counts.slow++;
        await sleep(50 + Math.floor(random() * 200));
      }
      return next(args);
    },
    // Inside the retry middleware (finalizeRequest, high priority), so every attempt meets its own fate.
    { step: 'finalizeRequest', priority: 'low', name: 'injectFaults' },
  );
  return client;
}
