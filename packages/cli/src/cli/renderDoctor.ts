import type { DoctorCheck, DoctorResult } from '@ssmhub/client/doctor';
import { duration } from '@ssmhub/client/doctorCheck';

/** How each status reads in the report: a failure stands out. */
const STATUS_LABEL = { ok: 'ok', fail: 'FAIL', skip: 'skip' } as const;

/**
 * The doctor's report: one line per check (status, what, what was found), the fix under each
 * failure (and under a skip that has one), then the RPO and the counts. Lines are never cut: each
 * names ARNs and fixes a reader copies.
 */
export function doctorReport(result: Pick<DoctorResult, 'checks' | 'rpo'>): string {
  const nameWidth = Math.max(...result.checks.map((c) => c.name.length), 0);
  const lines = result.checks.flatMap((check: DoctorCheck) => [
    `${STATUS_LABEL[check.status].padEnd(4)}  ${check.name.padEnd(nameWidth)}  ${check.detail}`,
    ...(check.fix ? [`${' '.repeat(6 + nameWidth)}  fix: ${check.fix}`] : []),
  ]);
  const count = (status: DoctorCheck['status']) => result.checks.filter((c) => c.status === status).length;
  if (result.rpo) {
    lines.push(
      '',
      `RPO: indexed ${duration(result.rpo.indexedMs)}, verified ${duration(result.rpo.verifiedMs)} after the change`,
    );
  }
  lines.push(`${count('ok')} ok, ${count('fail')} failed, ${count('skip')} skipped`);
  return lines.join('\n');
}

/** The JSON document of `ssmhub doctor`: `{checks, rpo?}`. */
export function doctorJson(result: Pick<DoctorResult, 'checks' | 'rpo'>): object {
  return { checks: result.checks, ...(result.rpo ? { rpo: result.rpo } : {}) };
}
