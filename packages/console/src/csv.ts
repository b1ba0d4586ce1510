/** A cell of an exported table: text, a number, a flag, or nothing. */
export type CsvCell = string | number | boolean | undefined;

/** What a page shows, as rows under a header: what its CSV export holds (never a value). */
export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly CsvCell[])[];
}

/**
 * One cell as RFC 4180 wants it: quoted when it holds a quote, a comma or a line break (quotes
 * doubled). Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is prefixed with
 * an apostrophe, so an exported name like `=HYPERLINK(…)` stays text.
 */
export function csvCell(cell: CsvCell): string {
  if (cell === undefined) return '';
  let text = String(cell);
  if (typeof cell === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The table as CSV text: a header line, one line per row, CRLF line ends (RFC 4180).
 *
 * @example
 * csvOf({ header: ['account', 'name'], rows: [['111122223333', '/app/a,b']] });
 * // 'account,name\r\n111122223333,"/app/a,b"\r\n'
 */
export function csvOf(table: CsvTable): string {
  return [table.header, ...table.rows].map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}
