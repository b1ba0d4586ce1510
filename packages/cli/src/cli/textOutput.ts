// `--output text`, after the AWS CLI's: tab-separated fields, one record a line, for `cut`, `awk`
// and `while read`. A list of objects is one line per object, its fields in the order of the JSON's
// keys (the keys of every object in the list, so a field missing from one record is an empty field
// and the columns line up); a field that is itself an object or a list follows on lines of its own,
// starting with its key in capitals (the AWS CLI's RESERVATIONS, INSTANCES). null is None, as there.

type Scalar = string | number | boolean | null;

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field on one line: a tab or a line break in a value would split the record, so they are escaped. */
function field(value: Scalar | undefined): string {
  if (value === undefined) return '';
  if (value === null) return 'None';
  return String(value).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

function line(label: string | undefined, fields: readonly string[]): string {
  return [...(label === undefined ? [] : [label]), ...fields].join('\t');
}

/** The lines of `value`, each after `label` (the key it is under, in capitals) when it has one. */
function linesOf(value: unknown, label: string | undefined, keys?: readonly string[]): string[] {
  if (value === undefined) return [];
  if (isScalar(value)) return [line(label, [field(value)])];
  if (Array.isArray(value)) {
    if (value.every(isScalar)) return value.length > 0 ? [line(label, value.map(field))] : [];
    const records = value.filter(isRecord);
    const shared = [...new Set(records.flatMap((r) => Object.keys(r).filter((k) => isScalar(r[k]))))];
    return value.flatMap((item) => linesOf(item, label, isRecord(item) ? shared : undefined));
  }
  if (!isRecord(value)) return [];
  const scalarKeys = keys ?? Object.keys(value).filter((k) => isScalar(value[k]));
  const nested = Object.keys(value).filter((k) => value[k] !== undefined && !isScalar(value[k]));
  return [
    ...(scalarKeys.length > 0
      ? [
          line(
            label,
            scalarKeys.map((k) => field(value[k] as Scalar | undefined)),
          ),
        ]
      : []),
    ...nested.flatMap((k) => linesOf(value[k], k.toUpperCase())),
  ];
}

/**
 * A JSON document as `--output text`: tab-separated fields, one record a line.
 *
 * @example
 * textOutput([{ name: '/a', version: 2 }, { name: '/b', version: 1 }]); // '/a\t2\n/b\t1\n'
 */
export function textOutput(document: unknown): string {
  const lines = linesOf(document, undefined);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
