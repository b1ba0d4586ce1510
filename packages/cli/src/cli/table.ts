// Tables that fit the terminal without cutting what a reader copies: an account id, a region, a
// name. Like the AWS CLI's table output, a table that is too wide keeps its identifying columns
// whole and gives way elsewhere, in this order:
//   1. a column every row has the same value in (the account and region of a one-location table)
//      moves to a line above the table;
//   2. the other columns are left out, least important first (each table states its order; a
//      footer names them and --wide shows them);
//   3. long cells (names, values, reasons) wrap onto more lines of their row.
// Short cells (ids, regions, versions, timestamps) never wrap. One line per row unless a cell wraps.

/** How wide a table may be. */
export interface TableLayout {
  /** Columns the table must fit in. @default - as wide as its content */
  readonly width?: number;
}

/** How a table gives way at a narrow width. */
export interface TableShape {
  /** Columns never left out. @default account, region and name */
  readonly keep?: readonly string[];
  /** Left out first, in this order; then every other column not kept, from the right. @default none */
  readonly dropFirst?: readonly string[];
  /** Moved above the table when every row has the same value. @default account and region */
  readonly lift?: readonly string[];
}

type Cell = string | number | undefined;

const DEFAULT_KEEP = ['account', 'region', 'name'];
const DEFAULT_LIFT = ['account', 'region'];
/** Each column's border and padding: '│ ' before, ' ' after (plus one closing '│'). */
const COLUMN_CHROME = 3;
/** Cells up to this long never wrap: an ISO timestamp with milliseconds, and anything shorter. */
const KEEP_WHOLE = 24;
/** A wrapping column is not made narrower than this while another column can be left out. */
const WRAP_MIN = 24;

/** The lines `text` wraps to at `width`: at a space, else after a '/' (or '-', '_', '.', ':'), else anywhere. */
export function wrapCell(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let rest = paragraph;
    while (rest.length > width) {
      const head = rest.slice(0, width + 1);
      const space = head.lastIndexOf(' ');
      const separator = Math.max(...['/', '-', '_', '.', ':'].map((c) => head.slice(0, width).lastIndexOf(c)));
      // A break within the last half of the line only: a break near its start wastes the line.
      const at = space >= width / 2 ? space : separator >= width / 2 ? separator + 1 : width;
      lines.push(rest.slice(0, at).trimEnd());
      rest = rest.slice(at).replace(/^ /, '');
    }
    lines.push(rest);
  }
  return lines;
}

/** The width of the table drawn with these content widths. */
function drawnWidth(widths: readonly number[]): number {
  return 1 + widths.reduce((total, w) => total + w + COLUMN_CHROME, 0);
}

/** Content widths in `width`: whole cells at their width, the wrapping ones sharing the rest. */
function fitWidths(natural: readonly number[], wraps: readonly boolean[], width: number): number[] {
  const fixed = natural.reduce((total, w, i) => total + (wraps[i] ? 0 : w), 0);
  let room = width - 1 - COLUMN_CHROME * natural.length - fixed;
  const widths = [...natural];
  // Narrowest first: a column narrower than its share gives the rest to the wider ones.
  const wrapping = natural.map((w, i) => ({ w, i })).filter(({ i }) => wraps[i]);
  wrapping.sort((a, b) => a.w - b.w);
  wrapping.forEach(({ w, i }, n) => {
    const share = Math.max(1, Math.floor(room / (wrapping.length - n)));
    widths[i] = Math.min(w, share);
    room -= widths[i] ?? 0;
  });
  return widths;
}

/** The table as drawn: a border, the head, a line under it, one line per row (more where a cell wraps). */
function draw(head: readonly string[], rows: readonly string[][], widths: readonly number[]): string {
  const rule = (left: string, middle: string, right: string): string =>
    `${left}${widths.map((w) => '─'.repeat(w + 2)).join(middle)}${right}`;
  const line = (cells: readonly string[]): string =>
    `│${cells.map((cell, i) => ` ${cell.padEnd(widths[i] ?? 0)} `).join('│')}│`;
  const lines = (row: readonly string[]): string[] => {
    const wrapped = row.map((cell, i) => wrapCell(cell, widths[i] ?? cell.length));
    const height = Math.max(...wrapped.map((cellLines) => cellLines.length));
    return Array.from({ length: height }, (_, n) => line(wrapped.map((cellLines) => cellLines[n] ?? '')));
  };
  return [rule('┌', '┬', '┐'), ...lines(head), rule('├', '┼', '┤'), ...rows.flatMap(lines), rule('└', '┴', '┘')].join(
    '\n',
  );
}

/**
 * A table that fits `layout.width` (see the top of this file for how it gives way), or as wide as
 * its content without a width.
 *
 * @example
 * table(['account', 'region', 'name'], [['111122223333', 'eu-west-1', '/app/db/url']], { width: 80 });
 */
export function table(
  head: readonly string[],
  rows: readonly Cell[][],
  layout: TableLayout,
  shape: TableShape = {},
): string {
  let columns = head.map((h, i) => ({
    head: h,
    cells: rows.map((row) => (row[i] === undefined ? '' : String(row[i]))),
  }));
  const naturalOf = (c: (typeof columns)[number]): number => Math.max(c.head.length, ...c.cells.map((s) => s.length));
  const fits = (): boolean =>
    drawnWidth(columns.map((c) => (naturalOf(c) > KEEP_WHOLE ? Math.min(naturalOf(c), WRAP_MIN) : naturalOf(c)))) <=
    (layout.width ?? Infinity);
  const above: string[] = [];
  const left: string[] = [];
  if (layout.width !== undefined && drawnWidth(columns.map(naturalOf)) > layout.width) {
    for (const lifted of shape.lift ?? DEFAULT_LIFT) {
      const column = columns.find((c) => c.head === lifted);
      if (!column || rows.length === 0 || new Set(column.cells).size > 1) continue;
      above.push(`${lifted} ${column.cells[0] ?? ''}`);
      columns = columns.filter((c) => c !== column);
    }
    const keep = shape.keep ?? DEFAULT_KEEP;
    const optional = columns.map((c) => c.head).filter((h) => !keep.includes(h));
    const order = [...(shape.dropFirst ?? []).filter((h) => optional.includes(h))];
    order.push(...optional.filter((h) => !order.includes(h)).reverse());
    for (const dropped of order) {
      if (fits()) break;
      left.push(dropped);
      columns = columns.filter((c) => c.head !== dropped);
    }
  }
  const natural = columns.map(naturalOf);
  const widths =
    layout.width === undefined || drawnWidth(natural) <= layout.width
      ? natural
      : fitWidths(
          natural,
          natural.map((w) => w > KEEP_WHOLE),
          layout.width,
        );
  const drawn = draw(
    columns.map((c) => c.head),
    rows.map((_, r) => columns.map((c) => c.cells[r] ?? '')),
    widths,
  );
  const footer =
    left.length > 0
      ? wrapCell(
          `(left out at ${layout.width} columns: ${left.join(', ')}; --wide shows them)`,
          layout.width ?? Infinity,
        )
      : [];
  return [...(above.length > 0 ? [above.join(', ')] : []), drawn, ...footer].join('\n');
}
