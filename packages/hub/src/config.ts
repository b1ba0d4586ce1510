import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { HttpHandlerOptions, HttpRequest, HttpResponse, RequestHandler } from '@smithy/types';
import type { AccountBoundary, WatchedPath } from '@ssmhub/core';
import type { Index, RequestCounter } from '@ssmhub/store';
import type { SweepStarter } from './sweepStarter.js';

/** Everything the ingest and reconcile functions need to know about the hub. */
export interface HubConfig {
  /** The hub's region (where the table, bucket and key live). */
  readonly hubRegion: string;
  readonly tableName: string;
  readonly bucketName: string;
  /** KMS key for the bucket's SSE-KMS writes. @default - the bucket's default encryption */
  readonly kmsKeyId?: string;
  /** Member role the hub assumes to read SSM. @default 'SSMHubReader' */
  readonly readerRoleName?: string;
  /** Which accounts the hub acts for. */
  readonly boundary: AccountBoundary;
  /**
   * ARN of the hub's ingest queue (ingest only, required there): the ingest handler processes only
   * SQS records whose `eventSourceARN` is this queue; any other record is logged and acknowledged.
   */
  readonly ingestQueueArn?: string;
  /** Endpoint of every AWS call (the local sandbox). @default - AWS */
  readonly endpoint?: string;
  /** Endpoint of the index's DynamoDB calls (DynamoDB Local in the sandbox). @default - `endpoint` */
  readonly dynamoEndpoint?: string;
  /** The hub's own credentials. @default - the SDK's default chain */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Structured logger. @default - a Powertools Logger for service 'ssmhub-ingest' */
  readonly logger?: Logger;
  /** HTTP handler of every client (tests inject faults through it). @default - the SDK's */
  readonly requestHandler?: RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions>;
  /** Retry attempts for throttling and 5xx before a message fails. @default 6 */
  readonly maxAttempts?: number;
  /** KMS HMAC_256 key of the value digests compare uses. @default - no digests */
  readonly digestKeyId?: string;
  /** Changes under these paths are announced on `eventBusName`. @default - none */
  readonly watchedPaths?: readonly WatchedPath[];
  /** The hub bus. @default 'ssmhub' */
  readonly eventBusName?: string;
  /** A SecureString under the AWS managed key is a finding. @default false */
  readonly requireCustomerKey?: boolean;
  /** Send new and fixed findings to Security Hub in the hub region (needs `hubAccount`). @default false */
  readonly securityHub?: boolean;
  /** The hub account: the product Security Hub findings are imported under, and their AwsAccountId. */
  readonly hubAccount?: string;
  /** Put an `ssmhub Finding` event on `eventBusName` for each new finding. @default false */
  readonly findingEvents?: boolean;
  /**
   * Ingest only: starts the onboarding sweep of a location that has no baseline yet, when its
   * events first reach this container (the sweep state machine; the sandbox's tests observe it).
   * @default - none: new locations wait for the scheduled sweep
   */
  readonly startSweep?: SweepStarter;
  /**
   * The index the function reads and writes, counting its requests in `counter` (unit tests give
   * an InMemoryIndex from `@ssmhub/store/testing`).
   * @default - the DynamoDB table `tableName`, read with strong consistency
   */
  readonly index?: (counter: RequestCounter) => Index;
}
