import type { ChangeRecord } from '@ssmhub/client/changes';
import type { OutputRecord } from '@ssmhub/client/records';
import type { CommandOutput, Renderers } from '../command.js';

/** What the commands that list records (history, preview, changes, search) read. */
export interface RecordsResult {
  readonly records: readonly (OutputRecord | ChangeRecord)[];
  readonly warnings?: readonly string[];
}

/** The output of a command that lists records: the records as JSON, or a table of them (`values` as a column). */
export function recordsOutput(result: RecordsResult, values: boolean, render: Renderers): CommandOutput {
  return {
    json: result.records,
    table: (layout) => render.recordsTable(result.records, values, layout),
    ...(result.warnings?.length ? { warnings: result.warnings } : {}),
  };
}
