/**
 * How the library records restores: it asks the hub's restore audit function, through its function
 * URL with AWS_IAM auth, and never writes the table itself (operators hold no write permission on
 * it). The function takes `who` from the signature Lambda verified; the library sends only what
 * the operator states (target, moment, plan, outcome).
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { SignatureV4 } from '@smithy/signature-v4';
import { ResourceNames } from '@ssmhub/core';
import type { RestoreAudit, RestoreAuditAnswer, RestoreAuditRequest } from '@ssmhub/hub';
import type { RestoreLog } from '@ssmhub/store';
import { ClientError, ExitCode } from './errors.js';
import type { HubConnection } from './hub.js';

/** Where restore records go: the hub's audit function, or (tests) a log in process. */
export interface RestoreRecorder {
  /** Records one restore record; answers with the id, time and identity the hub recorded. */
  record(request: RestoreAuditRequest): Promise<RestoreAuditAnswer>;
}

/** The audit function refused or failed a record: its status and one line (never a value). */
export class RestoreAuditError extends ClientError {
  public constructor(
    message: string,
    public readonly statusCode?: number,
  ) {
    super(message, statusCode === 400 ? ExitCode.usage : ExitCode.failure);
  }
}

/** Signs each request for Lambda (SigV4, service `lambda`, the hub's region) and posts it. */
export class FunctionUrlRecorder implements RestoreRecorder {
  private url: Promise<URL> | undefined;
  private lambdaClient: Promise<LambdaClient> | undefined;

  public constructor(private readonly hub: HubConnection) {}

  public async record(request: RestoreAuditRequest): Promise<RestoreAuditAnswer> {
    const [url, lambda] = await Promise.all([this.auditUrl(), this.lambda()]);
    const body = JSON.stringify(request);
    const signer = new SignatureV4({
      service: 'lambda',
      region: this.hub.region,
      credentials: lambda.config.credentials,
      sha256: lambda.config.sha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: { host: url.host, 'content-type': 'application/json' },
      body,
    });
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers: signed.headers, body });
    } catch (error) {
      throw new RestoreAuditError(
        `cannot reach the restore audit function at ${url.origin}: ${(error as Error).message}`,
      );
    }
    const text = await response.text();
    if (!response.ok) {
      throw new RestoreAuditError(
        `the restore audit function refused the ${request.record} record (HTTP ${response.status}): ${messageOf(text)}`,
        response.status,
      );
    }
    return JSON.parse(text) as RestoreAuditAnswer;
  }

  /** The configured URL, else the function's own (Lambda GetFunctionUrlConfig), asked once it succeeds. */
  private auditUrl(): Promise<URL> {
    this.url ??= (async () => {
      const configured = this.hub.location.restoreAuditUrl;
      if (configured) return new URL(configured);
      const { GetFunctionUrlConfigCommand } = await import('@aws-sdk/client-lambda');
      const lambda = await this.lambda();
      try {
        const { FunctionUrl } = await lambda.send(
          new GetFunctionUrlConfigCommand({ FunctionName: ResourceNames.restoreAuditFunction }),
        );
        if (!FunctionUrl) throw new Error('no FunctionUrl in the answer');
        return new URL(FunctionUrl);
      } catch (error) {
        throw new RestoreAuditError(
          `cannot find the restore audit function's URL (${(error as Error).name}): set SSMHUB_RESTORE_AUDIT_URL to the hub stack's RestoreAuditUrl output`,
        );
      }
    })();
    // A failed lookup (throttled, a network blip) is asked again by the next record, not cached.
    this.url.catch(() => (this.url = undefined));
    return this.url;
  }

  private lambda(): Promise<LambdaClient> {
    this.lambdaClient ??= import('@aws-sdk/client-lambda').then(
      ({ LambdaClient }) => new LambdaClient(this.hub.clientConfig(this.hub.region)),
    );
    return this.lambdaClient;
  }
}

/**
 * Records into a restore log in process, as the audit function would for `who` (unit tests, and
 * a sandbox without IAM enforcement, where nothing could verify a signature anyway).
 *
 * @example
 * const recorder = recordInProcess(index.restores, async () => 'arn:aws:sts::123456789012:assumed-role/Ops/alice');
 */
export function recordInProcess(log: RestoreLog, who: () => Promise<string>): RestoreRecorder {
  // The hub's function code is imported at the first record, not with the connection: a command
  // that records nothing (preview, diff, …) never loads @ssmhub/hub and its Lambda dependencies.
  let audit: Promise<RestoreAudit> | undefined;
  return {
    record: async (request) => {
      audit ??= import('@ssmhub/hub').then(({ RestoreAudit }) => new RestoreAudit(log));
      return (await audit).record(request, await who());
    },
  };
}

/** The function's one-line message, or the status text when the body is not its JSON. */
function messageOf(text: string): string {
  try {
    // The function answers { message }; Lambda's own refusals (IAM) answer { Message }.
    const body = JSON.parse(text) as { message?: unknown; Message?: unknown };
    const message = body.message ?? body.Message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 200).replace(/\s+/g, ' ').trim() || 'no message';
}
