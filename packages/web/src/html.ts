// HTML written as tagged templates: every interpolated value is escaped unless it is
// already HTML (built by `html` itself, or marked `trusted`), so a product name, a log
// line or a problem's detail can never become markup.

const HTML = Symbol('html');

export interface Html {
  readonly [HTML]: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** Markup the front end wrote itself (never what a service or user sent). */
export function trusted(markup: string): Html {
  return { [HTML]: markup };
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'object' && HTML in value) return value[HTML];
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  return trusted(
    strings.reduce((out, part, i) => out + part + (i < values.length ? render(values[i]) : ''), ''),
  );
}

export const markupOf = (markup: Html): string => markup[HTML];
