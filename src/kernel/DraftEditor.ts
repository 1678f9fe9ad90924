import { describeValue, InvalidTaskError } from '../errors.js';
import type { TaskDraft } from './TaskDraft.js';

/**
 * The base of the builder layers: owns the draft, refuses edits once the schedule is built, and
 * words validation errors the same way everywhere (`Task "x": method() expects …, got …`).
 */
export abstract class DraftEditor {
  readonly #draft: TaskDraft;
  readonly #assertEditable: () => void;

  /** @internal Created by `Schedule`. */
  constructor(draft: TaskDraft, assertEditable: () => void) {
    this.#draft = draft;
    this.#assertEditable = assertEditable;
  }

  /** The draft as it stands, for getters. */
  protected get draft(): Readonly<TaskDraft> {
    return this.#draft;
  }

  /** The task's name so far, for error messages. */
  protected get taskName(): string | undefined {
    return this.#draft.name ?? this.#draft.derivedName;
  }

  protected edit(change: (draft: TaskDraft) => void): this {
    this.#assertEditable();
    change(this.#draft);
    return this;
  }

  protected reject(method: string, expected: string, got: unknown): never {
    throw new InvalidTaskError(this.taskName, `${method}() expects ${expected}, got ${describeValue(got)}`);
  }

  /** A whole number in [min, max], or a typed error naming the method. */
  protected integer(value: unknown, method: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.reject(method, max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`, value);
    }
    return value;
  }
}
