import { table, type TableLayout } from './table.js';

// The table of a --query result, whose shape the command no longer knows: a list of objects is a
// row each (a column per key), a list of values a column, an object a row per key, a value itself.

function cell(value: unknown): string | number | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' || typeof value === 'number' ? value : JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A JSON document (what --query left of a command's) as a table fitted to `layout`.
 *
 * @example
 * queryTable([{ name: '/a', version: 2 }], { width: 80 }); // a table with columns name and version
 */
export function queryTable(document: unknown, layout: TableLayout): string {
  if (Array.isArray(document)) {
    if (document.length === 0) return '(none)';
    if (document.every(isRecord)) {
      const keys = [...new Set(document.flatMap((row) => Object.keys(row)))];
      return table(
        keys,
        document.map((row) => keys.map((key) => cell(row[key]))),
        layout,
      );
    }
    return table(
      ['value'],
      document.map((value) => [cell(value)]),
      layout,
    );
  }
  if (isRecord(document)) {
    return table(
      ['key', 'value'],
      Object.entries(document).map(([key, value]) => [key, cell(value)]),
      layout,
    );
  }
  return String(cell(document) ?? 'None');
}
