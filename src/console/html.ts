// HTML built with a tagged template that escapes every interpolated value, so a value from the database
// (an externalRef, an upstream's answer) is always text. Only `Html` values — fragments made by `html`
// itself — go in as markup. There is no other way to make an `Html` from a string: nothing is "raw".
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

const MARKUP = Symbol('html');

/** Markup made by `html`: safe to insert as is. */
export type Html = { readonly [MARKUP]: string };

/** What a template may interpolate: markup, text (escaped), numbers, nothing (null, undefined, false), or lists of these. */
export type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && MARKUP in value;
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (isHtml(value)) return value[MARKUP];
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return { [MARKUP]: out };
}

/** The markup as a string, to send. */
export function toHtmlString(fragment: Html): string {
  return fragment[MARKUP];
}
