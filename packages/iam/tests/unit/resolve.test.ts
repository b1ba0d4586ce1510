/**
 * The template resolver, intrinsic by intrinsic: each becomes the value CloudFormation would give
 * it for one account, region and partition.
 */
import { describe, expect, it } from 'vitest';
import { TemplateResolutionError } from '../../src/errors.js';
import { resolveTemplate, type Template, type TemplateScope } from '../../src/resolve.js';

const SCOPE: TemplateScope = { account: '123456789012', region: 'eu-west-1' };

/** The resolved value of `value`, as the property `Value` of a resource of a template holding `resources`. */
function valueOf(
  value: unknown,
  template: Omit<Template, 'Resources'> & { Resources?: Template['Resources'] } = {},
  scope: TemplateScope = SCOPE,
): unknown {
  const resolved = resolveTemplate(
    { ...template, Resources: { ...template.Resources, Probe: { Type: 'Test::Probe', Properties: { Value: value } } } },
    scope,
  );
  return resolved.resource('Probe')?.properties.Value;
}

const RESOURCES: Template['Resources'] = {
  Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'SSMHubIngest', AssumeRolePolicyDocument: {} } },
  Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'ssmhub-backup' } },
  Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: {} } },
  Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'ssmhub-ingest' } },
};

describe('Ref', () => {
  it('gives a parameter its Default, or the value the scope passes', () => {
    const template = { Parameters: { Stage: { Default: 'prod' }, Count: { Default: 3 } } };
    expect(valueOf({ Ref: 'Stage' }, template)).toBe('prod');
    expect(valueOf({ Ref: 'Count' }, template)).toBe('3');
    expect(valueOf({ Ref: 'Stage' }, template, { ...SCOPE, parameters: { Stage: 'dev' } })).toBe('dev');
  });

  it('gives the pseudo parameters of the scope', () => {
    expect(valueOf({ Ref: 'AWS::AccountId' })).toBe('123456789012');
    expect(valueOf({ Ref: 'AWS::Region' })).toBe('eu-west-1');
    expect(valueOf({ Ref: 'AWS::Partition' })).toBe('aws');
    expect(valueOf({ Ref: 'AWS::URLSuffix' })).toBe('amazonaws.com');
    expect(valueOf({ Ref: 'AWS::StackName' })).toBe('stack');
    const china = { account: '123456789012', region: 'cn-north-1', partition: 'aws-cn' };
    expect(valueOf({ Ref: 'AWS::Partition' }, {}, china)).toBe('aws-cn');
    expect(valueOf({ Ref: 'AWS::URLSuffix' }, {}, china)).toBe('amazonaws.com.cn');
  });

  it("gives a resource what CloudFormation's Ref returns for its type", () => {
    const template = { Resources: RESOURCES };
    expect(valueOf({ Ref: 'Role' }, template)).toBe('SSMHubIngest');
    expect(valueOf({ Ref: 'Bucket' }, template)).toBe('ssmhub-backup');
    expect(valueOf({ Ref: 'Queue' }, template)).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/ssmhub-ingest');
    expect(valueOf({ Ref: 'Key' }, template)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('fails on a reference to nothing', () => {
    expect(() => valueOf({ Ref: 'Missing' })).toThrow(TemplateResolutionError);
    expect(() => valueOf({ Ref: 'Missing' })).toThrow('reference to unknown resource Missing');
  });
});

describe('Fn::GetAtt', () => {
  const template = { Resources: RESOURCES };

  it('takes the array form and the dotted string form', () => {
    expect(valueOf({ 'Fn::GetAtt': ['Role', 'Arn'] }, template)).toBe('arn:aws:iam::123456789012:role/SSMHubIngest');
    expect(valueOf({ 'Fn::GetAtt': 'Bucket.Arn' }, template)).toBe('arn:aws:s3:::ssmhub-backup');
    expect(valueOf({ 'Fn::GetAtt': ['Queue', 'Arn'] }, template)).toBe(
      'arn:aws:sqs:eu-west-1:123456789012:ssmhub-ingest',
    );
  });

  it('fails on an attribute it does not know', () => {
    expect(() => valueOf({ 'Fn::GetAtt': ['Bucket', 'WebsiteURL'] }, template)).toThrow(
      new TemplateResolutionError('no attribute WebsiteURL known for Bucket'),
    );
  });
});

describe('Fn::Join, Fn::Sub, Fn::Select, Fn::Split', () => {
  const template = { Resources: RESOURCES, Parameters: { Stage: { Default: 'prod' } } };

  it('joins resolved parts', () => {
    expect(
      valueOf({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'Bucket' }, '/*']] }, template),
    ).toBe('arn:aws:s3:::ssmhub-backup/*');
    expect(valueOf({ 'Fn::Join': [',', ['a', 'b', 'c']] })).toBe('a,b,c');
  });

  it('substitutes pseudo parameters, parameters and resources without a variable map', () => {
    expect(
      valueOf({ 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:q-${Stage}' }, template),
    ).toBe('arn:aws:sqs:eu-west-1:123456789012:q-prod');
    expect(valueOf({ 'Fn::Sub': 'bucket ${Bucket}' }, template)).toBe('bucket ssmhub-backup');
  });

  it('substitutes ${Resource.Attribute} as Fn::GetAtt', () => {
    expect(valueOf({ 'Fn::Sub': '${Role.Arn}/*' }, template)).toBe('arn:aws:iam::123456789012:role/SSMHubIngest/*');
  });

  it('substitutes its variables first, themselves resolved, then anything else', () => {
    expect(
      valueOf(
        {
          'Fn::Sub': [
            '${Name}-${Where}-${AWS::Region}',
            { Name: 'literal', Where: { 'Fn::GetAtt': ['Bucket', 'Arn'] } },
          ],
        },
        template,
      ),
    ).toBe('literal-arn:aws:s3:::ssmhub-backup-eu-west-1');
  });

  it('selects by index from a resolved list, and splits a resolved string', () => {
    expect(valueOf({ 'Fn::Select': [1, ['a', { Ref: 'AWS::Region' }, 'c']] })).toBe('eu-west-1');
    expect(valueOf({ 'Fn::Select': ['0', { 'Fn::Split': ['/', 'alias/ssmhub'] }] })).toBe('alias');
    expect(valueOf({ 'Fn::Split': [':', { 'Fn::GetAtt': ['Role', 'Arn'] }] }, template)).toEqual([
      'arn',
      'aws',
      'iam',
      '',
      '123456789012',
      'role/SSMHubIngest',
    ]);
  });
});

describe('conditions', () => {
  const template: Omit<Template, 'Resources'> = {
    Parameters: { Stage: { Default: 'prod' }, Email: { Default: '' } },
    Conditions: {
      IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
      HasEmail: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Email' }, ''] }] },
      ProdWithEmail: { 'Fn::And': [{ Condition: 'IsProd' }, { Condition: 'HasEmail' }] },
      ProdOrEmail: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'HasEmail' }] },
      InEurope: { 'Fn::Equals': [{ 'Fn::Select': [0, { 'Fn::Split': ['-', { Ref: 'AWS::Region' }] }] }, 'eu'] },
    },
  };

  it('chooses a branch of Fn::If by its condition', () => {
    expect(valueOf({ 'Fn::If': ['IsProd', 'yes', 'no'] }, template)).toBe('yes');
    expect(valueOf({ 'Fn::If': ['HasEmail', 'yes', 'no'] }, template)).toBe('no');
    expect(valueOf({ 'Fn::If': ['InEurope', { Ref: 'AWS::Region' }, 'elsewhere'] }, template)).toBe('eu-west-1');
  });

  it('evaluates Fn::Equals, Fn::Not, Fn::And and Fn::Or, over parameters the scope passes', () => {
    expect(valueOf({ 'Fn::If': ['ProdWithEmail', 'both', 'not both'] }, template)).toBe('not both');
    expect(valueOf({ 'Fn::If': ['ProdOrEmail', 'one', 'none'] }, template)).toBe('one');
    const dev = { ...SCOPE, parameters: { Stage: 'dev', Email: 'ops@example.com' } };
    expect(valueOf({ 'Fn::If': ['IsProd', 'yes', 'no'] }, template, dev)).toBe('no');
    expect(valueOf({ 'Fn::If': ['ProdWithEmail', 'both', 'not both'] }, template, dev)).toBe('not both');
    expect(valueOf({ 'Fn::If': ['ProdOrEmail', 'one', 'none'] }, template, dev)).toBe('one');
    const neither = { ...SCOPE, parameters: { Stage: 'dev' } };
    expect(valueOf({ 'Fn::If': ['ProdOrEmail', 'one', 'none'] }, template, neither)).toBe('none');
    expect(
      valueOf({
        'Fn::Equals': [
          ['a', 1],
          ['a', 1],
        ],
      }),
    ).toBe(true);
  });

  it('drops AWS::NoValue from objects and lists', () => {
    expect(
      valueOf(
        {
          Kept: 'x',
          Dropped: { Ref: 'AWS::NoValue' },
          Chosen: { 'Fn::If': ['HasEmail', 'ops', { Ref: 'AWS::NoValue' }] },
          List: ['a', { 'Fn::If': ['IsProd', { Ref: 'AWS::NoValue' }, 'b'] }, 'c'],
        },
        template,
      ),
    ).toEqual({ Kept: 'x', List: ['a', 'c'] });
  });

  it('leaves out a resource whose Condition is false', () => {
    const resolved = resolveTemplate(
      {
        ...template,
        Resources: {
          Always: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'always' } },
          Alerts: { Type: 'AWS::SNS::Topic', Condition: 'HasEmail', Properties: { TopicName: 'alerts' } },
          ProdOnly: { Type: 'AWS::SNS::Topic', Condition: 'IsProd', Properties: { TopicName: 'prod' } },
        },
      },
      SCOPE,
    );
    expect(resolved.resources.map((r) => r.logicalId)).toEqual(['Always', 'ProdOnly']);
    expect(resolved.resource('Alerts')).toBeUndefined();
    expect(resolved.ofType('AWS::SNS::Topic').map((r) => r.ref)).toEqual(['arn:aws:sns:eu-west-1:123456789012:prod']);
  });

  it('fails on a condition the template does not declare', () => {
    expect(() => valueOf({ 'Fn::If': ['Nope', 'a', 'b'] }, template)).toThrow(
      new TemplateResolutionError('unknown condition Nope'),
    );
  });
});

describe('physical ids', () => {
  it("override a key's id, and its ARN with it", () => {
    const template = { Resources: RESOURCES };
    const scope = { ...SCOPE, physicalIds: { Key: { ref: '1234abcd-12ab-34cd-56ef-1234567890ab' } } };
    expect(valueOf({ Ref: 'Key' }, template, scope)).toBe('1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(valueOf({ 'Fn::GetAtt': ['Key', 'Arn'] }, template, scope)).toBe(
      'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );
    expect(valueOf({ 'Fn::GetAtt': ['Key', 'KeyId'] }, template, scope)).toBe('1234abcd-12ab-34cd-56ef-1234567890ab');
  });

  it("override any resource's ref and attributes", () => {
    const template = { Resources: { Unnamed: { Type: 'AWS::S3::Bucket' } } };
    expect(valueOf({ Ref: 'Unnamed' }, template)).toBe('stack-unnamed');
    const scope = {
      ...SCOPE,
      physicalIds: { Unnamed: { ref: 'real-bucket', attributes: { Arn: 'arn:aws:s3:::real-bucket' } } },
    };
    expect(valueOf({ Ref: 'Unnamed' }, template, scope)).toBe('real-bucket');
    expect(valueOf({ 'Fn::GetAtt': ['Unnamed', 'Arn'] }, template, scope)).toBe('arn:aws:s3:::real-bucket');
  });
});

describe('what the resolver cannot resolve', () => {
  it('fails on an intrinsic it does not handle, naming it', () => {
    expect(() => valueOf({ 'Fn::ImportValue': 'SharedKeyArn' })).toThrow(TemplateResolutionError);
    expect(() => valueOf({ 'Fn::FindInMap': ['Map', 'a', 'b'] })).toThrow('unsupported intrinsic Fn::FindInMap');
  });

  it('fails on a circular reference', () => {
    const template = {
      Resources: {
        A: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::GetAtt': ['B', 'QueueName'] } } },
        B: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::GetAtt': ['A', 'QueueName'] } } },
      },
    };
    expect(() => resolveTemplate(template, SCOPE)).toThrow(new TemplateResolutionError('circular reference through A'));
  });

  it('keeps an object of one key that is no intrinsic as it is', () => {
    expect(valueOf({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } })).toEqual({
      StringEquals: { 'aws:SourceAccount': '123456789012' },
    });
  });
});

describe('outputs', () => {
  it('resolves every output', () => {
    const resolved = resolveTemplate(
      { Resources: RESOURCES, Outputs: { BucketArn: { Value: { 'Fn::GetAtt': ['Bucket', 'Arn'] } } } },
      SCOPE,
    );
    expect(resolved.outputs).toEqual({ BucketArn: 'arn:aws:s3:::ssmhub-backup' });
    expect(resolved.scope).toEqual({ account: '123456789012', region: 'eu-west-1', partition: 'aws' });
  });
});
