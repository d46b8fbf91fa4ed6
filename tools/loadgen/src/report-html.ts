import type { LoadReport } from './report-json.ts';

export function reportPage(report: LoadReport): string {
  return `<!doctype html><pre>${JSON.stringify(report.summary)}</pre>`;
}
