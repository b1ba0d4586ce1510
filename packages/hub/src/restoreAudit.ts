/**
 * The restore audit: the hub's one writer of restore records. Operators call it through its
 * function URL (AWS_IAM auth); Lambda verifies the request's signature and passes the caller's
 * identity in the request context, which is the only source of `who`. The hub sets every time
 * and a location restore's id, and an outcome is accepted only from the principal that recorded
 * its intent. Records stay append-only (conditional puts; the table policy denies update and
 * delete).
 */
import { randomUUID } from 'node:crypto';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { toIsoMillis } from '@ssmhub/core';
import {
  IndexActions,
  ORG_RESTORE_KIND,
  ORG_RESTORE_LOCATION_KIND,
  RESTORE_KIND,
  RESTORE_OUTCOME_KIND,
  RestoreRecordExistsError,
  type RestoreLog,
} from '@ssmhub/store';
import {
  AuditRequestError,
  RestoreAuditRecords,
  parseRestoreAuditRequest,
  type RestoreAuditAnswer,
  type RestoreAuditRequest,
} from './restoreAuditRequest.js';

/** What the restore audit function calls: conditional puts and the intent checks, only under RESTORE#. */
export const RestoreAuditActions = {
  index: [...IndexActions.recordRestores, 'dynamodb:GetItem'],
} as const;

/** What an operator calls to record a restore: the function URL (both actions, since October 2025). */
export const RestoreAuditInvokeActions = ['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction'] as const;

/** A refusal the caller gets as its HTTP status and one line (never a value: records hold none). */
export class AuditRefusal extends Error {
  public override readonly name = 'AuditRefusal';
  public constructor(
    public readonly statusCode: 403 | 404,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Records restores for verified callers.
 *
 * @example
 * const audit = new RestoreAudit(index.restores);
 * const { restoreId, time } = await audit.record(request, 'arn:aws:sts::123456789012:assumed-role/Ops/alice');
 */
export class RestoreAudit {
  /**
   * @param restoreTargets the only accounts a restore may write to (the hub's
   *   `restoreTargetAccounts`); empty: any account the client may reach
   */
  public constructor(
    private readonly log: RestoreLog,
    private readonly now: () => Date = () => new Date(),
    private readonly restoreTargets: readonly string[] = [],
  ) {}

  /** Records `request` as `who`; throws AuditRefusal, or RestoreRecordExistsError for a second write. */
  public async record(request: RestoreAuditRequest, who: string): Promise<RestoreAuditAnswer> {
    const time = toIsoMillis(this.now());
    switch (request.record) {
      case RestoreAuditRecords.intent: {
        const { partOf, account } = request.restore;
        // The intent comes before any SSM write: refusing it stops the restore, whatever the client allows.
        if (this.restoreTargets.length > 0 && !this.restoreTargets.includes(account)) {
          throw new AuditRefusal(
            403,
            `account ${account} is not a restore target of this hub (restoreTargetAccounts: ${this.restoreTargets.join(', ')})`,
          );
        }
        if (partOf !== undefined && !(await this.log.readOrgIntent(partOf))) {
          throw new AuditRefusal(404, `organization-wide restore ${partOf} has no recorded intent`);
        }
        const restoreId = randomUUID();
        await this.log.putIntent({ ...request.restore, kind: RESTORE_KIND, restoreId, time, who });
        return { restoreId, time, who };
      }
      case RestoreAuditRecords.outcome: {
        const outcome = request.restore;
        const intent = await this.log.readIntent(outcome, outcome.startedAt);
        if (!intent) {
          throw new AuditRefusal(
            404,
            `restore ${outcome.restoreId} has no intent recorded at ${outcome.startedAt} in ${outcome.account}/${outcome.region}`,
          );
        }
        if (intent.who !== who) {
          throw new AuditRefusal(403, `restore ${outcome.restoreId} was started by another principal`);
        }
        await this.log.putOutcome({ ...outcome, kind: RESTORE_OUTCOME_KIND, time });
        return { restoreId: outcome.restoreId, time, who };
      }
      case RestoreAuditRecords.orgIntent:
        await this.log.putOrgIntent({ ...request.restore, kind: ORG_RESTORE_KIND, time, who });
        return { restoreId: request.restore.restoreId, time, who };
      case RestoreAuditRecords.orgLocation: {
        const { restoreId } = request.restore;
        if (!(await this.log.readOrgIntent(restoreId))) {
          throw new AuditRefusal(404, `organization-wide restore ${restoreId} has no recorded intent`);
        }
        await this.log.putOrgLocation({ ...request.restore, kind: ORG_RESTORE_LOCATION_KIND, time, who });
        return { restoreId, time, who };
      }
    }
  }
}

/** What the function answers: always a status, a JSON content type and a JSON body. */
export type FunctionUrlAnswer = Exclude<LambdaFunctionURLResult, string>;

/** The identity Lambda verified for a function URL request with AWS_IAM auth, if any. */
function callerOf(event: LambdaFunctionURLEvent): string | undefined {
  const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: unknown } } }).authorizer?.iam;
  return typeof iam?.userArn === 'string' && iam.userArn.length > 0 ? iam.userArn : undefined;
}

function answer(statusCode: number, body: object): FunctionUrlAnswer {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export interface RestoreAuditHandlerOptions {
  /** The restore log to write (the index table's, with the function's own credentials). */
  readonly log: RestoreLog;
  /** The only accounts a restore may write to. @default - any */
  readonly restoreTargets?: readonly string[];
  /** @default - a Powertools Logger for service 'ssmhub-restore-audit' */
  readonly logger?: Logger;
  readonly now?: () => Date;
}

/**
 * The function URL handler: 200 with what was recorded, 400 for a malformed request, 403 without
 * a verified identity or for another principal's restore, 404 for a restore with no intent, 409
 * for a record already written, and a generic 500 (details only in the function's log).
 */
export function createRestoreAuditHandler(
  options: RestoreAuditHandlerOptions,
): (event: LambdaFunctionURLEvent) => Promise<FunctionUrlAnswer> {
  const audit = new RestoreAudit(options.log, options.now, options.restoreTargets);
  const logger = options.logger ?? new Logger({ serviceName: 'ssmhub-restore-audit' });
  return async (event) => {
    const who = callerOf(event);
    if (!who) return answer(403, { message: 'no verified caller: call the function URL with AWS_IAM (SigV4) auth' });
    if (event.requestContext.http.method !== 'POST') return answer(405, { message: 'POST a restore record' });
    const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
    try {
      const request = parseRestoreAuditRequest(body);
      const recorded = await audit.record(request, who);
      logger.info('restore record written', { record: request.record, restoreId: recorded.restoreId, who });
      return answer(200, recorded);
    } catch (error) {
      if (error instanceof AuditRequestError) return answer(400, { message: error.message });
      if (error instanceof AuditRefusal) {
        logger.warn('restore record refused', { who, reason: error.message });
        return answer(error.statusCode, { message: error.message });
      }
      if (error instanceof RestoreRecordExistsError) return answer(409, { message: error.message });
      logger.error('restore record failed', { who, error: (error as Error).name });
      return answer(500, { message: 'the restore audit failed; its log has the details' });
    }
  };
}
