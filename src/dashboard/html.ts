// HTML built from templates that escape every value by default. Task names, errors, outputs and
// notes are user data: a value reaches the page as markup only when it is itself built by `html`.

/** Markup that is safe to insert as is: only `html` and `raw` make one. */
export class SafeHtml {
  readonly #markup: string;

  constructor(markup: string) {
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/**
 * Text as HTML that shows it literally, safe in element content and in quoted attribute values.
 *
 * @example
 * escapeHtml('<b>"x"</b>'); // '&lt;b&gt;&quot;x&quot;&lt;/b&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

/** A value in a template: markup stays, arrays are joined, `undefined`/`null`/`false` render nothing, anything else is escaped text. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * A template tag: the literal parts are markup, every interpolated value is escaped (see `HtmlValue`).
 *
 * @example
 * html`<td>${task.name}</td>`; // a task named `<script>` shows as text
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Markup the caller vouches for — only for constants of our own, never for data. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
