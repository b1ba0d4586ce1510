import { Logger } from '@aws-lambda-powertools/logger';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { RestoreRecordExistsError, type RestoreLog } from '@ssmhub/store';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditRefusal, RestoreAudit, createRestoreAuditHandler } from '../../src/restoreAudit.js';
import { AuditRequestError, parseRestoreAuditRequest, type IntentRequest } from '../../src/restoreAuditRequest.js';

const ALICE = 'arn:aws:sts::123456789012:assumed-role/SSMHubRestoreOperator/alice';
const MALLORY = 'arn:aws:sts::123456789012:assumed-role/SSMHubRestoreOperator/mallory';
const NOW = new Date('2026-12-03T10:00:00.000Z');

const intent: IntentRequest = {
  account: '111122223333',
  region: 'eu-west-1',
  name: '/prod/db/',
  recursive: true,
  at: '2026-12-02T09:00:00.000Z',
  sourceAccount: '111122223333',
  sourceRegion: 'eu-west-1',
  plan: { put: 2, delete: 1, unchanged: 3, refused: 0 },
};
const counts = { put: 2, deleted: 1, unchanged: 3, refused: 0, failed: 0 };

const body = (record: string, restore: object) => JSON.stringify({ record, restore });

function urlEvent(payload: string, userArn?: string, method = 'POST'): LambdaFunctionURLEvent {
  return {
    version: '2.0',
    rawPath: '/',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    body: payload,
    requestContext: {
      http: { method, path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      ...(userArn ? { authorizer: { iam: { userArn, accountId: '123456789012' } } } : {}),
    },
  } as unknown as LambdaFunctionURLEvent;
}

async function restoresIn(index: InMemoryIndex) {
  const feed = await index.feed.changes({ since: '2026-01-01T00:00:00.000Z', until: '2027-01-01T00:00:00.000Z' });
  return feed.flatMap((entry) => (entry.kind === 'restore' ? [entry.restore] : []));
}

describe('parseRestoreAuditRequest', () => {
  it('refuses every field the hub records itself, naming it', () => {
    for (const field of ['who', 'time', 'kind']) {
      expect(() => parseRestoreAuditRequest(body('intent', { ...intent, [field]: 'x' }))).toThrow(
        new AuditRequestError(`restore.${field} is the hub's to record, not the caller's`),
      );
    }
    expect(() => parseRestoreAuditRequest(body('intent', { ...intent, restoreId: 'mine' }))).toThrow(
      /restoreId is the hub's to choose/,
    );
  });

  it('names the first malformed field without echoing what it held', () => {
    const attempt = (restore: object) => () => parseRestoreAuditRequest(body('intent', restore));
    expect(attempt({ ...intent, account: 'hunter2-secret' })).toThrow('restore.account must be a 12-digit account id');
    expect(attempt({ ...intent, account: 'hunter2-secret' })).not.toThrow(/hunter2/);
    expect(attempt({ ...intent, at: 'yesterday' })).toThrow('restore.at must be an ISO 8601 UTC time');
    expect(attempt({ ...intent, plan: { ...intent.plan, put: -1 } })).toThrow(
      'restore.plan.put must be a whole number',
    );
    expect(attempt({ ...intent, name: 'a'.repeat(2049) })).toThrow(/restore.name must be a text of 1 to 2048/);
    expect(() => parseRestoreAuditRequest('{')).toThrow('the request body is not JSON');
    expect(() => parseRestoreAuditRequest(body('rewrite-history', intent))).toThrow(/record must be one of/);
  });

  it('keeps only the fields it knows, and an explanation to one line of 500 characters', () => {
    const parsed = parseRestoreAuditRequest(
      body('org-location', {
        restoreId: 'org-1',
        account: '111122223333',
        region: 'eu-west-1',
        status: 'failed',
        counts,
        message: `line one\nline two ${'x'.repeat(600)}`,
        extra: 'dropped',
      }),
    );
    expect(parsed.restore).not.toHaveProperty('extra');
    const message = (parsed.restore as { message: string }).message;
    expect(message).toHaveLength(500);
    expect(message.startsWith('line one line two')).toBe(true);
  });
});

describe('RestoreAudit', () => {
  let index: InMemoryIndex;
  let audit: RestoreAudit;
  beforeEach(() => {
    index = new InMemoryIndex();
    audit = new RestoreAudit(index.restores, () => NOW);
  });

  it("records an intent with the hub's id and time and the caller as who, whatever the caller claims", async () => {
    const recorded = await audit.record({ record: 'intent', restore: intent }, ALICE);
    expect(recorded).toEqual({
      restoreId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      time: NOW.toISOString(),
      who: ALICE,
    });
    const [restore] = await restoresIn(index);
    expect(restore).toMatchObject({ ...intent, restoreId: recorded.restoreId, time: NOW.toISOString(), who: ALICE });
    expect(restore?.status).toBe('incomplete');
  });

  it('accepts an outcome only from the principal that recorded the intent, once', async () => {
    const { restoreId, time } = await audit.record({ record: 'intent', restore: intent }, ALICE);
    const outcome = {
      restoreId,
      account: intent.account,
      region: intent.region,
      startedAt: time,
      status: 'succeeded' as const,
      counts,
      names: [],
    };
    await expect(audit.record({ record: 'outcome', restore: outcome }, MALLORY)).rejects.toEqual(
      new AuditRefusal(403, `restore ${restoreId} was started by another principal`),
    );
    await audit.record({ record: 'outcome', restore: outcome }, ALICE);
    await expect(audit.record({ record: 'outcome', restore: outcome }, ALICE)).rejects.toBeInstanceOf(
      RestoreRecordExistsError,
    );
    expect((await restoresIn(index))[0]?.status).toBe('succeeded');
  });

  it('refuses an outcome with no intent, and records that belong to an organization-wide restore nobody started', async () => {
    const outcome = {
      restoreId: 'made-up',
      account: intent.account,
      region: intent.region,
      startedAt: NOW.toISOString(),
      status: 'succeeded' as const,
      counts,
      names: [],
    };
    await expect(audit.record({ record: 'outcome', restore: outcome }, ALICE)).rejects.toMatchObject({
      statusCode: 404,
    });
    await expect(
      audit.record({ record: 'intent', restore: { ...intent, partOf: 'org-1' } }, ALICE),
    ).rejects.toMatchObject({ statusCode: 404 });
    const location = {
      restoreId: 'org-1',
      account: intent.account,
      region: intent.region,
      status: 'succeeded' as const,
      counts,
    };
    await expect(audit.record({ record: 'org-location', restore: location }, ALICE)).rejects.toMatchObject({
      statusCode: 404,
    });
    expect(await index.restores.readOrg('org-1')).toEqual({ locations: [] });
  });

  it("refuses the intent of a restore into an account outside the hub's restore targets, before any write", async () => {
    const guarded = new RestoreAudit(index.restores, () => NOW, ['999999999999']);
    await expect(guarded.record({ record: 'intent', restore: intent }, ALICE)).rejects.toEqual(
      new AuditRefusal(
        403,
        'account 111122223333 is not a restore target of this hub (restoreTargetAccounts: 999999999999)',
      ),
    );
    expect(await restoresIn(index)).toEqual([]);
    await guarded.record({ record: 'intent', restore: { ...intent, account: '999999999999' } }, ALICE);
    expect(await restoresIn(index)).toHaveLength(1);
  });

  it('records an organization-wide restore and its locations with who ran each', async () => {
    await audit.record(
      {
        record: 'org-intent',
        restore: { restoreId: 'org-1', name: '/prod/', recursive: true, at: intent.at, locations: 2 },
      },
      ALICE,
    );
    await audit.record({ record: 'intent', restore: { ...intent, partOf: 'org-1' } }, MALLORY);
    await audit.record(
      {
        record: 'org-location',
        restore: { restoreId: 'org-1', account: intent.account, region: intent.region, status: 'succeeded', counts },
      },
      MALLORY,
    );
    const org = await index.restores.readOrg('org-1');
    expect(org.intent).toMatchObject({ who: ALICE, time: NOW.toISOString(), locations: 2 });
    expect(org.locations).toEqual([expect.objectContaining({ who: MALLORY, status: 'succeeded' })]);
  });
});

describe('the function URL handler', () => {
  const quiet = () => {
    const logger = new Logger({ serviceName: 'test' });
    const lines: string[] = [];
    for (const level of ['info', 'warn', 'error'] as const) {
      vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => void lines.push(JSON.stringify(args)));
    }
    return { logger, lines };
  };

  it('answers 403 without a verified caller, and never reads the body', async () => {
    const index = new InMemoryIndex();
    const handler = createRestoreAuditHandler({ log: index.restores, logger: quiet().logger });
    const answer = await handler(urlEvent(body('intent', intent)));
    expect(answer.statusCode).toBe(403);
    expect(await restoresIn(index)).toEqual([]);
  });

  it('answers 200 with what the hub recorded, 400 for a bad request, 409 for a second write', async () => {
    const index = new InMemoryIndex();
    const handler = createRestoreAuditHandler({ log: index.restores, logger: quiet().logger, now: () => NOW });
    const ok = await handler(urlEvent(body('intent', { ...intent, who: 'arn:aws:iam::1:root' }), ALICE));
    expect(ok.statusCode).toBe(400);
    const recorded = await handler(urlEvent(body('intent', intent), ALICE));
    expect(recorded.statusCode).toBe(200);
    const { restoreId } = JSON.parse(String(recorded.body)) as { restoreId: string };
    expect((await restoresIn(index)).map((r) => [r.restoreId, r.who])).toEqual([[restoreId, ALICE]]);
    const org = body('org-intent', { restoreId: 'org-1', name: '/p', recursive: false, at: intent.at, locations: 1 });
    expect((await handler(urlEvent(org, ALICE))).statusCode).toBe(200);
    expect((await handler(urlEvent(org, ALICE))).statusCode).toBe(409);
  });

  it('answers a failure with a generic 500 and keeps its message out of the answer and the log', async () => {
    const failing: RestoreLog = Object.assign(Object.create(new InMemoryIndex().restores) as RestoreLog, {
      putIntent: () => Promise.reject(new Error('connection to table broke: value=hunter2')),
    });
    const { logger, lines } = quiet();
    const answer = await createRestoreAuditHandler({ log: failing, logger })(urlEvent(body('intent', intent), ALICE));
    expect(answer.statusCode).toBe(500);
    expect(answer.body).not.toContain('hunter2');
    expect(lines.join('\n')).not.toContain('hunter2');
    expect(lines.join('\n')).toContain('restore record failed');
  });
});
