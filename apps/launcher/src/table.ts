export interface Row {
  service: string;
  pid: string;
  url: string;
  ready: string;
}

/** A plain-text table with a header, columns padded to their widest cell. */
export function renderTable(rows: Row[]): string {
  const header: Row = { service: 'SERVICE', pid: 'PID', url: 'URL', ready: 'READY IN' };
  const columns = Object.keys(header) as Array<keyof Row>;
  const widths = columns.map((column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  return [header, ...rows]
    .map((row) => `  ${columns.map((column, i) => row[column].padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd())
    .join('\n');
}
