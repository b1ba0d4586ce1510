import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { BackupBucket } from '../../lib/hub/backup-bucket.js';
import type { HubWorkerProps } from '../../lib/hub/hub-function.js';
import { IndexTable } from '../../lib/hub/index-table.js';
import { HubKeys } from '../../lib/hub/keys.js';
import { BREAK_GLASS } from '../helpers.js';

export const ORGANIZATION_ID = 'o-exampleorgid';
export const DEPLOYMENT_ROLE = 'arn:aws:iam::222222222222:role/Deployer';

/** A policy statement as a template renders it. */
export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Principal?: Record<string, unknown> | string;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export function logicalIdOf(construct: IConstruct): string {
  return (construct.node.defaultChild as CfnElement).stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

export function newKeys(stack: Stack): HubKeys {
  return new HubKeys(stack, 'Keys', {
    administrators: [new iam.ArnPrincipal(BREAK_GLASS)],
    deployment: new iam.ArnPrincipal(DEPLOYMENT_ROLE),
  });
}

/** The keys, the index and the backups the hub's Lambdas write, and the organization they serve. */
export function workerProps(stack: Stack, overrides: Partial<HubWorkerProps> = {}): HubWorkerProps {
  const keys = newKeys(stack);
  return {
    keys,
    index: new IndexTable(stack, 'Index', { encryptionKey: keys.key }),
    backups: new BackupBucket(stack, 'Backups', { encryptionKey: keys.key, deploymentRoleArn: DEPLOYMENT_ROLE }),
    organizationId: ORGANIZATION_ID,
    ...overrides,
  };
}

/** A role a grant can be given to (assumed by Lambda, as the hub's roles are). */
export function newRole(stack: Stack, id: string): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

/** The statements of a key's policy. */
export function keyStatements(template: Template, key: IConstruct): Statement[] {
  const resources = template.toJSON().Resources as Record<
    string,
    { Properties: { KeyPolicy: { Statement: Statement[] } } }
  >;
  return resources[logicalIdOf(key)]!.Properties.KeyPolicy.Statement;
}

/** The statements of the identity policies attached to a role. */
export function roleStatements(template: Template, role: IConstruct): Statement[] {
  const ref = JSON.stringify({ Ref: logicalIdOf(role) });
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === ref))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** The statements of the resource policies of a kind (`AWS::S3::BucketPolicy`, `AWS::SQS::QueuePolicy`...). */
export function resourcePolicyStatements(template: Template, type: string): Statement[] {
  return Object.values(template.findResources(type)).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  );
}

/** The statements of the table's resource policy. */
export function tableStatements(template: Template): Statement[] {
  const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
  return tables.flatMap((t) => (t.Properties.ResourcePolicy?.PolicyDocument.Statement ?? []) as Statement[]);
}

export const actionsOf = (statement: Statement): string[] => [statement.Action].flat();
