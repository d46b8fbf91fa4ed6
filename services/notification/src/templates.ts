import { readFile } from 'node:fs/promises';
import { ALL_KINDS, type Kind } from './domain/channels.ts';
import {
  parseSections,
  parseTemplate,
  type RenderedMessage,
  renderTemplate,
  type Template,
} from './domain/render.ts';
import type { MessageView } from './domain/views.ts';

export const TEMPLATE_DIR = new URL('../templates/', import.meta.url);
const PARTIALS = ['header', 'footer', 'signature'] as const;

export interface Templates {
  render(view: MessageView): RenderedMessage;
}

/**
 * Reads one template file per kind (`templates/<kind>.mustache`) and the shared
 * partials, once at start: a missing or malformed template stops the service there,
 * not at the first message of that kind.
 */
export async function loadTemplates(dir: URL = TEMPLATE_DIR): Promise<Templates> {
  const partials = parseSections(
    '_partials',
    await readFile(new URL('_partials.mustache', dir), 'utf8'),
    PARTIALS,
  );
  const byKind = new Map<Kind, Template>();
  for (const kind of ALL_KINDS) {
    byKind.set(kind, parseTemplate(kind, await readFile(new URL(`${kind}.mustache`, dir), 'utf8')));
  }
  return {
    render(view) {
      const template = byKind.get(view.kind);
      if (!template) throw new Error(`no template for ${view.kind}`);
      return renderTemplate(template, view, partials);
    },
  };
}
