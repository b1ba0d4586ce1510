/** Condition-key values as IAM sees them: one string, or a multivalued key's strings. */
export type ContextValues = Record<string, string | string[]>;

/**
 * One authorization AWS performs for a request: a request can need several (a BatchGetItem reads
 * several tables; an SSE-KMS PutObject needs s3:PutObject and, through S3, kms:GenerateDataKey).
 */
export interface Authorization {
  /** The IAM action, `service:Action` (`s3:GetObjectVersion` for a GET with a versionId). */
  readonly action: string;
  /** The resource ARN the action is authorized on (`*` for actions without a resource type). */
  readonly resource: string;
  /** The account that owns the resource (for `*`, the caller's account). */
  readonly resourceAccount: string;
  /**
   * Request-specific condition keys AWS sets for this action (`s3:if-none-match`,
   * `dynamodb:LeadingKeys`, `events:source`, `kms:ViaService`, `kms:EncryptionContext:…` …).
   * Principal-wide keys (`aws:PrincipalArn`, `aws:PrincipalOrgID`, `aws:SecureTransport`,
   * `aws:SourceIdentity` …) are added by the evaluator, not here.
   */
  readonly context: ContextValues;
  /**
   * Set when the call is made by a service on the caller's behalf (S3 calling KMS): the service's
   * host, e.g. `s3.us-east-1.amazonaws.com` (the evaluator adds `kms:ViaService` from it).
   */
  readonly viaService?: string;
}

/** What a signed HTTP request asks AWS to do. */
export interface MappedRequest {
  /** The signing name of the service (`s3`, `dynamodb`, `kms`, `ssm`, `sqs`, `events`, `sts` …). */
  readonly service: string;
  /** The API operation (`HeadObject`, `Query`, `AssumeRole` …). */
  readonly operation: string;
  /** Every authorization AWS makes before it performs the request. */
  readonly authorizations: readonly Authorization[];
}

/** An HTTP request as the gateway receives it. */
export interface HttpRequest {
  readonly method: string;
  /** Path and query, as on the request line (`/bucket/key?versionId=…`). */
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
}

/** Who signed a request and where it is addressed, read from its SigV4 signature. */
export interface SignatureScope {
  readonly accessKeyId: string;
  /** The region of the credential scope. */
  readonly region: string;
  /** The signing name of the credential scope (`s3`, `dynamodb` …). */
  readonly service: string;
}

/** What the mapping needs to know about the world beyond the request itself. */
export interface RequestDirectory {
  /** The account of the caller (resources named without an account, such as a table name, are theirs). */
  readonly callerAccount: string;
  /**
   * The KMS key ARN that encrypts a resource at rest, when a customer-managed key does (S3 bucket
   * default encryption, SQS queue, DynamoDB table), so the mapping adds the KMS calls the service
   * makes on the caller's behalf. `undefined`: AWS-owned or no encryption (no KMS authorization).
   */
  encryptionKeyOf(resourceArn: string): string | undefined;
  /** A KMS key id, alias name or ARN, resolved to the key ARN (in the caller's account and region). */
  keyArnOf(keyIdOrAlias: string, region: string): string;
  /**
   * The account that owns an S3 bucket (S3 ARNs carry no account).
   * @default - the caller's account
   */
  bucketAccountOf?(bucket: string): string | undefined;
  /**
   * The organization, whose id and management account are part of every Organizations resource
   * ARN (`arn:aws:organizations::<management account>:account/<id>/<account>`).
   * @default - Organizations actions are authorized on `*`
   */
  readonly organization?: OrganizationIdentity;
}

/** What names an organization in its resources' ARNs. */
export interface OrganizationIdentity {
  /** `o-…` */
  readonly id: string;
  readonly managementAccount: string;
}
