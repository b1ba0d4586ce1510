import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { CliEnvironment, HubEnvironment, IdentifierPatterns, ResourceNames } from '@ssmhub/core';
import { Construct } from 'constructs';
import { HubPropsError } from './errors.js';
import { hubFunction } from './hub-function.js';
import type { IndexTable } from './index-table.js';
import type { HubKeys } from './keys.js';

export interface RestoreAuditProps {
  readonly keys: HubKeys;
  readonly index: IndexTable;
  /** The organization (`o-...`) the callers must act from. */
  readonly organizationId: string;
  /**
   * The only accounts a restore may write to: the function refuses any other target's intent,
   * before the restore's first write.
   * @default - any account of the organization
   */
  readonly restoreTargetAccounts?: readonly string[];
}

/**
 * The restore audit: the one writer of restore records. A Lambda behind a function URL with
 * AWS_IAM auth, so Lambda verifies each caller's signature and hands the function the caller's
 * identity, which becomes the record's `who`. Its role may only put restore records and read
 * their intents (RESTORE# partitions); restore operators invoke it and hold no table write.
 */
export class RestoreAudit extends Construct {
  readonly role: iam.Role;
  readonly function: nodejs.NodejsFunction;
  readonly url: lambda.FunctionUrl;
  private readonly organizationId: string;

  constructor(scope: Construct, id: string, props: RestoreAuditProps) {
    super(scope, id);
    if (!IdentifierPatterns.organizationId.test(props.organizationId)) {
      throw new HubPropsError(
        this,
        `organizationId must be an organization id like o-exampleorgid, got ${props.organizationId}`,
      );
    }
    this.organizationId = props.organizationId;
    this.role = new iam.Role(this, 'Role', {
      roleName: ResourceNames.restoreAuditRole,
      description: 'ssmhub restore audit Lambda: writes restore records (RESTORE# only), nothing else',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    props.index.grantRestoreRecording(this.role);
    props.keys.grantIndexItemUse(this.role);
    this.function = hubFunction(this, 'Function', {
      entry: 'packages/hub/src/handlers/restoreAudit.ts',
      // Named: the library finds its URL by name (GetFunctionUrlConfig) and the guardrails protect it.
      functionName: ResourceNames.restoreAuditFunction,
      role: this.role,
      description: 'ssmhub restore audit: records restores with the caller identity Lambda verified',
      timeout: Duration.seconds(10),
      // A restore records two items; a burst of operators never starves the hub's own functions.
      reservedConcurrentExecutions: 5,
      environment: {
        [HubEnvironment.tableName]: props.index.table.tableName,
        [CliEnvironment.restoreTargets]: (props.restoreTargetAccounts ?? []).join(',') || '*',
        POWERTOOLS_SERVICE_NAME: 'ssmhub.restore-audit',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    this.url = this.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
  }

  /**
   * Lets a principal of the organization record restores: lambda:InvokeFunctionUrl with AWS_IAM
   * auth, and lambda:InvokeFunction only through the URL (a direct Invoke could hand the function
   * a made-up identity in its event); and find the URL (GetFunctionUrlConfig).
   */
  grantRecord(principal: iam.IPrincipal, id: string): void {
    this.function.addPermission(`RecordUrl${id}`, {
      principal,
      action: 'lambda:InvokeFunctionUrl',
      functionUrlAuthType: lambda.FunctionUrlAuthType.AWS_IAM,
      organizationId: this.organizationId,
    });
    this.function.addPermission(`RecordInvoke${id}`, {
      principal,
      action: 'lambda:InvokeFunction',
      invokedViaFunctionUrl: true,
      organizationId: this.organizationId,
    });
    // The library finds the URL by the function's name when SSMHUB_RESTORE_AUDIT_URL is not set.
    this.function.addPermission(`FindUrl${id}`, {
      principal,
      action: 'lambda:GetFunctionUrlConfig',
      organizationId: this.organizationId,
    });
  }
}
