import { describe, expect, it } from 'vitest';
import {
  ASFF_SCHEMA_VERSION,
  FINDING_SEVERITY,
  FINDING_TYPES,
  asffFindingId,
  asffProductArn,
  toAsff,
  type AsffSubject,
} from '../../src/asff.js';
import { FindingRule, detectFindings } from '../../src/findings.js';

/** The subset of JSON Schema the ASFF schema below uses. */
interface Schema {
  readonly type?: 'object' | 'array' | 'string' | 'number';
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
  readonly enum?: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
}

/** Every way `value` breaks `schema`, as `path: why` (empty: valid). */
function violations(value: unknown, schema: Schema, path = '$'): string[] {
  const found: string[] = [];
  const type = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (schema.type && type !== schema.type) return [`${path}: ${type} is not ${schema.type}`];
  if (schema.enum && !schema.enum.includes(value as string)) found.push(`${path}: ${String(value)} not in enum`);
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      found.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      found.push(`${path}: longer than ${schema.maxLength}`);
    if (schema.pattern && !new RegExp(schema.pattern).test(value))
      found.push(`${path}: does not match ${schema.pattern}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      found.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      found.push(`${path}: more than ${schema.maxItems} items`);
    value.forEach((item, i) => schema.items && found.push(...violations(item, schema.items, `${path}[${i}]`)));
  }
  if (type === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in object)) found.push(`${path}: ${key} is required`);
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      if (key in object) found.push(...violations(object[key], sub, `${path}.${key}`));
    }
  }
  return found;
}

const NON_EMPTY = { type: 'string', minLength: 1, pattern: '.*\\S.*' } as const;
/** ASFF's timestamp forms (AwsSecurityFinding: CreatedAt, UpdatedAt). */
const TIMESTAMP = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:?\\d{2})$',
} as const;

/** The ASFF's required top-level fields (AwsSecurityFinding), with their constraints. */
const ASFF_SCHEMA: Schema = {
  type: 'object',
  required: [
    'SchemaVersion',
    'Id',
    'ProductArn',
    'GeneratorId',
    'AwsAccountId',
    'Types',
    'CreatedAt',
    'UpdatedAt',
    'Severity',
    'Title',
    'Description',
    'Resources',
  ],
  properties: {
    SchemaVersion: { type: 'string', enum: ['2018-10-08'] },
    Id: { ...NON_EMPTY, maxLength: 512 },
    ProductArn: { type: 'string', pattern: '^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:\\d{12}:product/\\d{12}/default$' },
    GeneratorId: { ...NON_EMPTY, maxLength: 512 },
    AwsAccountId: { type: 'string', pattern: '^\\d{12}$' },
    Types: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: {
        type: 'string',
        pattern:
          '^(Software and Configuration Checks|TTPs|Effects|Unusual Behaviors|Sensitive Data Identifications)(/[^/]+){0,2}$',
      },
    },
    CreatedAt: TIMESTAMP,
    UpdatedAt: TIMESTAMP,
    FirstObservedAt: TIMESTAMP,
    LastObservedAt: TIMESTAMP,
    Severity: {
      type: 'object',
      required: ['Label'],
      properties: { Label: { type: 'string', enum: ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] } },
    },
    Title: { ...NON_EMPTY, maxLength: 256 },
    Description: { ...NON_EMPTY, maxLength: 1024 },
    Resources: {
      type: 'array',
      minItems: 1,
      maxItems: 32,
      items: {
        type: 'object',
        required: ['Type', 'Id'],
        properties: {
          Type: { type: 'string', enum: ['Other'] },
          Id: { type: 'string', pattern: '^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\\d{12}:parameter/' },
        },
      },
    },
    RecordState: { type: 'string', enum: ['ACTIVE', 'ARCHIVED'] },
    Workflow: {
      type: 'object',
      properties: { Status: { type: 'string', enum: ['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'] } },
    },
  },
};

const PRODUCT = { hubAccount: '999988887777', hubRegion: 'us-east-1' };
const CURRENT: AsffSubject = {
  account: '111122223333',
  region: 'eu-west-1',
  name: '/app/db/url',
  rule: FindingRule.connectionStringPassword,
  appearedAt: '2026-12-01T10:00:00.000Z',
  appearedVersion: 3,
};
const NOW = '2026-12-03T12:00:00.000Z';

describe('toAsff', () => {
  it('gives documents the ASFF schema accepts, current and fixed, for every rule', () => {
    for (const rule of Object.values(FindingRule)) {
      const current = toAsff({ ...CURRENT, rule }, PRODUCT, NOW);
      const fixed = toAsff({ ...CURRENT, rule, fixedAt: NOW, fixedVersion: 4 }, PRODUCT, NOW);
      expect(violations(current, ASFF_SCHEMA)).toEqual([]);
      expect(violations(fixed, ASFF_SCHEMA)).toEqual([]);
      expect(current.Severity.Label).toBe(FINDING_SEVERITY[rule]);
      expect(current.Types).toEqual([FINDING_TYPES[rule]]);
    }
  });

  it('the schema checker refuses what ASFF refuses', () => {
    const document = toAsff(CURRENT, PRODUCT, NOW) as unknown as Record<string, unknown>;
    const { Title: _title, ...untitled } = document;
    expect(violations(untitled, ASFF_SCHEMA)).toEqual(['$: Title is required']);
    expect(violations({ ...document, Types: ['Secrets/Found'] }, ASFF_SCHEMA)).toHaveLength(1);
    expect(violations({ ...document, CreatedAt: 'yesterday' }, ASFF_SCHEMA)).toHaveLength(1);
  });

  it('maps the parameter, the hub product and the state of the finding', () => {
    const current = toAsff(CURRENT, PRODUCT, NOW);
    expect(current).toMatchObject({
      SchemaVersion: ASFF_SCHEMA_VERSION,
      Id: 'ssmhub/111122223333/eu-west-1/connection-string-password//app/db/url',
      ProductArn: 'arn:aws:securityhub:us-east-1:999988887777:product/999988887777/default',
      GeneratorId: 'ssmhub/connection-string-password',
      AwsAccountId: '999988887777',
      CreatedAt: CURRENT.appearedAt,
      UpdatedAt: NOW,
      Resources: [
        { Type: 'Other', Id: 'arn:aws:ssm:eu-west-1:111122223333:parameter/app/db/url', Region: 'eu-west-1' },
      ],
      RecordState: 'ACTIVE',
      Workflow: { Status: 'NEW' },
    });
    const fixed = toAsff({ ...CURRENT, fixedAt: '2026-12-02T09:00:00.000Z', fixedVersion: 4 }, PRODUCT, NOW);
    expect(fixed).toMatchObject({
      Id: current.Id,
      UpdatedAt: '2026-12-02T09:00:00.000Z',
      RecordState: 'ARCHIVED',
      Workflow: { Status: 'RESOLVED' },
    });
    expect(asffProductArn({ hubAccount: '999988887777', hubRegion: 'cn-north-1' })).toMatch(/^arn:aws-cn:/);
  });

  it('keeps ids stable, apart and within 512 characters for the longest names', () => {
    const long = `/${'a'.repeat(1010)}`;
    const other = `${long.slice(0, -1)}b`;
    const id = asffFindingId({ ...CURRENT, name: long });
    expect(id.length).toBeLessThanOrEqual(512);
    expect(asffFindingId({ ...CURRENT, name: long })).toBe(id);
    expect(asffFindingId({ ...CURRENT, name: other })).not.toBe(id);
    expect(violations(toAsff({ ...CURRENT, name: long }, PRODUCT, NOW), ASFF_SCHEMA)).toEqual([]);
  });

  it('never carries the matched text', () => {
    const secrets = [
      'postgres://app:S3cr3tP4ss@db.internal:5432/app',
      'AKIAQWERTYUIOPASDFGH',
      '-----BEGIN RSA PRIVATE KEY-----',
    ];
    for (const value of secrets) {
      const rules = detectFindings({ name: '/app/config', type: 'String', value });
      expect(rules.length).toBeGreaterThan(0);
      for (const rule of rules) {
        const text = JSON.stringify(toAsff({ ...CURRENT, name: '/app/config', rule }, PRODUCT, NOW));
        expect(text).not.toContain(value);
        expect(text).not.toContain('S3cr3tP4ss');
      }
    }
  });
});
