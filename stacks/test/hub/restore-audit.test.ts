import { Template } from 'aws-cdk-lib/assertions';
import { ResourceNames } from '@ssmhub/core';
import { RESTORE_PARTITION_PREFIX } from '@ssmhub/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { RestoreAudit } from '../../lib/hub/restore-audit.js';
import { SYNTH_TIMEOUT, testStack } from '../helpers.js';
import { ORGANIZATION_ID, actionsOf, keyStatements, logicalIdOf, roleStatements, workerProps } from './fixtures.js';

let template: Template;
let audit: RestoreAudit;
let shared: ReturnType<typeof workerProps>;
beforeAll(() => {
  const stack = testStack();
  shared = workerProps(stack);
  audit = new RestoreAudit(stack, 'RestoreAudit', {
    keys: shared.keys,
    index: shared.index,
    organizationId: ORGANIZATION_ID,
  });
  template = Template.fromStack(stack);
}, SYNTH_TIMEOUT);

describe('the restore audit function', () => {
  it('is named, behind a function URL with AWS_IAM auth, and reads its table from the environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: ResourceNames.restoreAuditFunction,
      Environment: {
        Variables: { SSMHUB_TABLE: { Ref: logicalIdOf(shared.index.table) }, SSMHUB_RESTORE_TARGETS: '*' },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      TargetFunctionArn: { 'Fn::GetAtt': [logicalIdOf(audit.function), 'Arn'] },
    });
  });

  it('may put restore records and read intents, only under RESTORE#, and nothing else of the table', () => {
    const table = roleStatements(template, audit.role).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );
    expect(table).toEqual([
      expect.objectContaining({
        Sid: 'RecordRestores',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${RESTORE_PARTITION_PREFIX}*`] } },
      }),
    ]);
  });

  it('uses the hub key through DynamoDB only: it never reaches a stored value', () => {
    const grants = keyStatements(template, shared.keys.key).filter((s) => s.Sid === 'UseIndexByTheRestoreAudit');
    expect(grants).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
      }),
    ]);
    expect(
      roleStatements(template, audit.role)
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('s3:')),
    ).toEqual([]);
  });
});
