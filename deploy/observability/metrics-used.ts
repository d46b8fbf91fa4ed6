// The metrics the observability files use: every PromQL expression in the Grafana
// dashboards and the alert rules, and the metric names in them. The tests compare
// these with what the services really expose, so a renamed metric cannot leave a
// dashboard empty or an alert silent.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const here = import.meta.dirname;

interface Dashboard {
  uid: string;
  title: string;
  panels: Array<{ id: number; title: string; targets?: Array<{ expr?: string }> }>;
}

export function dashboards(): Array<{ file: string; dashboard: Dashboard }> {
  const folder = join(here, 'grafana');
  return readdirSync(folder)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(folder, file), 'utf8')) as Dashboard }));
}

export function alertExpressions(): string[] {
  const rules = parse(readFileSync(join(here, 'prometheus', 'alerts.yml'), 'utf8')) as {
    groups: Array<{ rules: Array<{ expr: string }> }>;
  };
  return rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr));
}

export function expressions(): string[] {
  const panels = dashboards().flatMap(({ dashboard }) => dashboard.panels);
  return [
    ...panels.flatMap((panel) => (panel.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : []))),
    ...alertExpressions(),
  ];
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
]);

/** The metric names in a PromQL expression: identifiers that are not functions, keywords or label names. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings (label values, regexes)
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ''); // label lists
  const names = [...bare.matchAll(/(?<![\w:.])[a-zA-Z_:][\w:]*(?![\w:])(?!\s*\()/g)]
    .map((match) => match[0])
    .filter((name) => !KEYWORDS.has(name) && !/^\d/.test(name) && !/^[eE]\d*$/.test(name));
  return [...new Set(names)];
}

/** Every metric the dashboards and alerts use. */
export function metricsUsed(): Set<string> {
  return new Set(expressions().flatMap(metricNames));
}

/**
 * The metric names a Prometheus text exposition offers: each family from its TYPE
 * line, a histogram's as its _bucket, _sum and _count series.
 */
export function exposedMetrics(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (!name) continue;
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(name + suffix);
    else names.add(name);
  }
  return names;
}
