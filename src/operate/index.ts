export { ReadModel, type ReadModelOptions } from './ReadModel.js';
export { DEFAULT_GRACE, graceMs } from './grace.js';
export type { HistoryEntry, HistoryOptions, MissedEntry, RunEntry } from './history.js';
export { TICK_GRACE_MS, type LateSlot, type MonitorReport, type TaskHealth } from './monitor.js';
export type { DstRule, SlotMatch } from './slotMatch.js';
export type { Explanation, Finding } from './why.js';
