import Mustache from 'mustache';

// Templates: one file per message kind, with a section for each part of the message.
//
//   --- subject      one line, plain text
//   --- text         the e-mail's text part
//   --- html         the e-mail's HTML part ({{value}} is HTML-escaped; partials allowed)
//   --- short        SMS and push: one or two sentences
//
// Anything before the first section is a comment. Mustache keeps the templates
// logic-less: every decision (which total, how money reads) is made in the view.

export const SECTIONS = ['subject', 'text', 'html', 'short'] as const;
export type Section = (typeof SECTIONS)[number];
export type Template = Record<Section, string>;

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  short: string;
}

const MARKER = /^--- ([a-z]+)\s*$/;

/** The named sections of a template file; `required` lists those it must have. */
export function parseSections(
  name: string,
  source: string,
  required: readonly string[],
): Record<string, string> {
  const sections: Record<string, string[]> = {};
  let current: string[] | undefined;
  for (const line of source.split(/\r?\n/)) {
    const marker = MARKER.exec(line);
    if (marker?.[1]) {
      if (sections[marker[1]]) throw new Error(`template ${name}: section ${marker[1]} appears twice`);
      current = sections[marker[1]] = [];
    } else current?.push(line);
  }
  const missing = required.filter((section) => !sections[section]);
  if (missing.length) throw new Error(`template ${name}: missing section ${missing.join(', ')}`);
  return Object.fromEntries(Object.entries(sections).map(([key, lines]) => [key, lines.join('\n').trim()]));
}

export function parseTemplate(name: string, source: string): Template {
  const sections = parseSections(name, source, SECTIONS);
  return {
    subject: sections.subject ?? '',
    text: sections.text ?? '',
    html: sections.html ?? '',
    short: sections.short ?? '',
  };
}

const oneLine = (value: string) => value.replace(/\s+/g, ' ').trim();
const plain = { escape: (value: unknown) => String(value) };

/** Renders every part of `template` with `view`; only the HTML part escapes values. */
export function renderTemplate(
  template: Template,
  view: object,
  partials: Record<string, string> = {},
): RenderedMessage {
  const subject = oneLine(Mustache.render(template.subject, view, {}, plain));
  // The HTML part's <title> is the subject.
  const withSubject = { ...view, subject };
  return {
    subject,
    text: `${Mustache.render(template.text, withSubject, partials, plain).trim()}\n`,
    html: Mustache.render(template.html, withSubject, partials),
    short: oneLine(Mustache.render(template.short, withSubject, {}, plain)),
  };
}
