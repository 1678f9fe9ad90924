import { validateAddresses } from '../output/Mailer.js';
import { parseOutputTarget } from '../output/parseOutputTarget.js';
import { FrequencyBuilder } from './FrequencyBuilder.js';
import type { TaskDraft } from './TaskDraft.js';
import type { FailureHook, Hook } from './types.js';

/**
 * Hooks, pings and output: what happens around a run. Hooks and pings run in the order they were
 * added. A `before` hook that throws fails the run before the task starts; errors in the hooks after
 * the run, and every failing ping, are logged and never change the run's outcome.
 */
export abstract class HookBuilder extends FrequencyBuilder {
  /** Runs before the task. */
  before(hook: Hook): this {
    return this.#hook('before', hook, (d) => d.before);
  }

  /** Runs after the task, whether it succeeded or failed. */
  after(hook: Hook): this {
    return this.#hook('after', hook, (d) => d.after);
  }

  /** Alias of `after`. */
  then(hook: Hook): this {
    return this.after(hook);
  }

  /** Runs after a successful run. */
  onSuccess(hook: Hook): this {
    return this.#hook('onSuccess', hook, (d) => d.onSuccess);
  }

  /** Runs after a failed or timed-out run, with the error: the task's exception handler. */
  onFailure(hook: FailureHook): this {
    return this.#hook('onFailure', hook, (d) => d.onFailure as unknown[]);
  }

  /** GETs `url` before the task starts (a heartbeat monitor's "start" URL, say). */
  pingBefore(url: string): this {
    return this.#ping('pingBefore', url, (d) => d.pingBefore);
  }

  /** GETs `url` after the task, whatever its outcome. */
  thenPing(url: string): this {
    return this.#ping('thenPing', url, (d) => d.pingAfter);
  }

  /** GETs `url` after a successful run. */
  pingOnSuccess(url: string): this {
    return this.#ping('pingOnSuccess', url, (d) => d.pingOnSuccess);
  }

  /** GETs `url` after a failed run. */
  pingOnFailure(url: string): this {
    return this.#ping('pingOnFailure', url, (d) => d.pingOnFailure);
  }

  /**
   * Writes each run's output to `target`, replacing what was there: a file path (relative to the
   * project locally; only `/tmp` is writable on Lambda) or an `s3://bucket/key` URI (mirrored under
   * `.tickwork/s3/` when running locally).
   */
  sendOutputTo(target: string): this {
    parseOutputTarget(target, this.taskName, 'sendOutputTo');
    return this.edit((d) => (d.outputFile = { target, append: false }));
  }

  /** Like `sendOutputTo`, appending each run's output instead. */
  appendOutputTo(target: string): this {
    parseOutputTarget(target, this.taskName, 'appendOutputTo');
    return this.edit((d) => (d.outputFile = { target, append: true }));
  }

  /**
   * Mails each run's output — through SES when deployed (from `TICKWORK_MAIL_FROM`), into
   * `.tickwork/outbox/` locally. With `onlyIfOutput`, only runs that produced output are mailed.
   */
  emailOutputTo(addresses: string | readonly string[], onlyIfOutput = false): this {
    const to = validateAddresses(addresses, this.taskName, 'emailOutputTo');
    if (typeof onlyIfOutput !== 'boolean') this.reject('emailOutputTo', 'onlyIfOutput to be a boolean', onlyIfOutput);
    return this.edit((d) => (d.email = { to, onlyIfOutput }));
  }

  /** Mails the output of failed runs only. */
  emailOutputOnFailure(addresses: string | readonly string[]): this {
    const to = validateAddresses(addresses, this.taskName, 'emailOutputOnFailure');
    return this.edit((d) => (d.emailOnFailure = { to }));
  }

  #hook(method: string, hook: unknown, list: (d: TaskDraft) => unknown[]): this {
    if (typeof hook !== 'function') this.reject(method, 'a function', hook);
    return this.edit((d) => void list(d).push(hook));
  }

  #ping(method: string, url: unknown, list: (d: TaskDraft) => string[]): this {
    if (typeof url !== 'string' || !isHttpUrl(url)) this.reject(method, 'an http(s) URL', url);
    return this.edit((d) => void list(d).push(url));
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
