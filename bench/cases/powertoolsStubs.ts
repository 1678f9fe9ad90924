/*
 * Empty stand-ins for Powertools' Logger and Metrics, aliased into one extra build of the tick by
 * `cases/bundles.ts` to show what Powertools adds to its import (the note under the table). Never
 * deployed, never judged: every method does nothing.
 */
const nothing = (): undefined => undefined;

/** An object whose every property not set in the constructor is a method doing nothing. */
function doingNothing<T extends object>(target: T): T {
  return new Proxy(target, { get: (object, key) => (key in object ? Reflect.get(object, key) : nothing) });
}

export class Logger {
  constructor() {
    return doingNothing(this);
  }
}

export class Metrics {
  constructor() {
    return doingNothing(this);
  }
}

/** `MetricUnit.Count` is `'Count'`, and so on. */
export const MetricUnit = new Proxy({}, { get: (_, key) => String(key) });
