/**
 * The permission matrix, cell by cell, with IAM evaluated as AWS does over the synthesized
 * templates (`npm run build` writes them; CI builds them, so a missing directory fails this file).
 *
 * - An allowed call must be allowed. One the current stacks deny is an IAM defect: `it.fails`,
 *   named after the defect, so the test flips when the fix lands.
 * - An attack must be denied by the statement the matrix names. One the current stacks allow is
 *   open: `it.fails`, named after the fix that closes it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResourceNames, WatchedChangeEvent } from '@ssmhub/core';
import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../src/deployment.js';
import { DecisionResult } from '../../src/evaluate.js';
import {
  MATRIX_LAYOUT,
  ServiceRules,
  denialMatches,
  describeDenial,
  evaluateCall,
  matrixCounts,
  matrixWorld,
  permissionMatrix,
  permissionMatrixTable,
  type Attack,
  type Denial,
  type MatrixCall,
  type MatrixPrincipal,
} from '../../src/matrix.js';
import { resolveTemplate, type Template } from '../../src/resolve.js';
import type { PolicyWorld } from '../../src/world.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const repoRoot = join(packageRoot, '..', '..');

const templates = loadTemplates(join(packageRoot, 'dist', 'templates'));
const world = matrixWorld(templates);
const matrix = permissionMatrix(world);
/** The same deployment without the organization's SCPs: an SCP denies a call that this world does not. */
const { guardrails, ...withoutGuardrails } = templates;
const worldWithoutScps = matrixWorld(withoutGuardrails);
/** The same deployment under the `production` profile, for the principals evaluated there. */
const productionTemplates = loadTemplates(join(packageRoot, 'dist', 'templates', 'production'));
const { guardrails: productionGuardrails, ...productionWithoutGuardrails } = productionTemplates;
const worlds = {
  default: { world, withoutScps: worldWithoutScps, guardrails },
  production: {
    world: matrixWorld(productionTemplates),
    withoutScps: matrixWorld(productionWithoutGuardrails),
    guardrails: productionGuardrails,
  },
};
const worldsOf = (principal: MatrixPrincipal) => worlds[principal.profile ?? 'default'];

/** Whether the SCP `policy` (`SCP <name>`) has a Deny statement `sid` listing `action`. */
function scpStatementCovers(
  denial: Extract<Denial, { kind: 'statement' }>,
  action: string,
  guardrails: Template | undefined,
): boolean {
  if (!guardrails) return false;
  const resolved = resolveTemplate(guardrails, {
    account: MATRIX_LAYOUT.hubAccount,
    region: MATRIX_LAYOUT.hubRegion,
    partition: MATRIX_LAYOUT.partition,
  });
  const scp = resolved
    .ofType('AWS::Organizations::Policy')
    .find((r) => `SCP ${String(r.properties.Name)}` === denial.policy);
  const content = scp?.properties.Content as
    { Statement: { Sid?: string; Effect: string; Action: unknown }[] } | undefined;
  const statement = content?.Statement.find((s) => s.Sid === denial.sid && s.Effect === 'Deny');
  return statement !== undefined && ([statement.Action].flat() as string[]).includes(action);
}

async function outcomeOf(where: PolicyWorld, principal: MatrixPrincipal, call: MatrixCall) {
  return evaluateCall(where, principal, call);
}

async function expectAllowed(principal: MatrixPrincipal, call: MatrixCall): Promise<void> {
  const outcome = await outcomeOf(worldsOf(principal).world, principal, call);
  expect(outcome.allowed, outcome.explanation).toBe(true);
}

async function expectDenied(principal: MatrixPrincipal, attack: Attack): Promise<void> {
  const where = worldsOf(principal);
  const outcome = await outcomeOf(where.world, principal, attack);
  expect(outcome.allowed, `the attack succeeds: ${outcome.explanation}`).toBe(false);
  if (denialMatches(outcome, attack.deniedBy)) return;
  const expected = attack.deniedBy;
  const refused = outcome.refused;
  // `authorize` names no SCP statement in `deniedBy` yet: prove it is the SCP instead. The call
  // is denied explicitly here, not explicitly without the SCPs, and the named statement lists it.
  if (
    expected.kind === 'statement' &&
    expected.policy.startsWith('SCP ') &&
    refused?.decision.result === DecisionResult.explicitlyDenied &&
    refused.decision.deniedBy.length === 0
  ) {
    const withoutScps = await outcomeOf(where.withoutScps, principal, attack);
    expect(withoutScps.refused?.decision.result, withoutScps.explanation).not.toBe(DecisionResult.explicitlyDenied);
    expect(
      scpStatementCovers(expected, refused.authorization.action, where.guardrails),
      `${describeDenial(expected)} lists ${refused.authorization.action}`,
    ).toBe(true);
    return;
  }
  expect.fail(`expected a denial by ${describeDenial(expected)}, got: ${outcome.explanation}`);
}

describe('permission matrix', () => {
  for (const principal of matrix) {
    describe(principal.name, () => {
      for (const call of principal.allowed) {
        if (call.defect === undefined) {
          it(`allowed: ${call.call}`, () => expectAllowed(principal, call));
        } else {
          // An IAM defect of the current stacks: flips to a failure (remove `defect`) once fixed.
          it.fails(`DEFECT, denied today: ${call.call} (${call.defect})`, () => expectAllowed(principal, call));
        }
      }
      for (const attack of principal.attacks) {
        if (attack.openUntil === undefined) {
          it(`denied: ${attack.call}, by ${describeDenial(attack.deniedBy)}`, () => expectDenied(principal, attack));
        } else {
          // Open today: flips to a failure (remove `openUntil`) once the fix lands.
          it.fails(`OPEN: ${attack.call}, until ${attack.openUntil}`, () => expectDenied(principal, attack));
        }
      }
    });
  }
});

describe('the matrix covers', () => {
  const everyAttack = matrix.flatMap((principal) => principal.attacks.map((attack) => ({ principal, attack })));
  const callerAccount = (principal: MatrixPrincipal, attack: Attack) => {
    const caller = attack.as ?? principal.caller;
    return caller.kind === 'role' ? caller.arn.split(':')[4] : undefined;
  };
  const some = (predicate: (a: { principal: MatrixPrincipal; attack: Attack }) => boolean) =>
    expect(everyAttack.some(predicate)).toBe(true);
  const actions = (attack: Attack) => attack.authorizations.map((a) => a.action);
  const leadingKeys = (attack: Attack) =>
    attack.authorizations.flatMap((a) => [a.context['dynamodb:LeadingKeys'] ?? []].flat());
  const hubKey = world.keyArnOf(ResourceNames.keyAlias, MATRIX_LAYOUT.hubAccount, MATRIX_LAYOUT.hubRegion);

  it('the cast the issue names', () => {
    expect(matrix.map((p) => p.id)).toEqual(
      expect.arrayContaining([
        'ingest',
        'reconcile',
        'restore-operator',
        'analyst',
        'member-administrator',
        'hub-administrator',
        'break-glass',
        'deployment',
        'member-application',
        'outsider',
      ]),
    );
  });

  it('decrypting a backup outside ssmhub (kms:Decrypt on the hub key, not through a service)', () =>
    some(({ attack }) =>
      attack.authorizations.some((a) => a.action === 'kms:Decrypt' && a.resource === hubKey && !a.viaService),
    ));

  it('overwriting, deleting and shortening the retention of a stored version', () => {
    some(({ attack }) =>
      attack.authorizations.some((a) => a.action === 's3:PutObject' && a.context['s3:if-none-match'] === undefined),
    );
    some(({ attack }) => actions(attack).includes('s3:DeleteObjectVersion'));
    some(
      ({ attack }) =>
        actions(attack).includes('s3:PutObjectRetention') && actions(attack).includes('s3:BypassGovernanceRetention'),
    );
  });

  it('updating or deleting a RESTORE# item, and an operator writing any other item', () => {
    for (const action of ['dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
      some(
        ({ attack }) => actions(attack).includes(action) && leadingKeys(attack).some((k) => k.startsWith('RESTORE#')),
      );
    }
    some(
      ({ principal, attack }) =>
        principal.id === 'restore-operator' &&
        actions(attack).includes('dynamodb:PutItem') &&
        leadingKeys(attack).every((k) => !k.startsWith('RESTORE#')),
    );
  });

  it('aws.ssm and watched-change events on the hub bus from a member principal that is not the forwarder', () => {
    for (const source of ['aws.ssm', WatchedChangeEvent.source]) {
      some(
        ({ principal, attack }) =>
          callerAccount(principal, attack) === MATRIX_LAYOUT.memberAccounts[0] &&
          principal.id !== 'forwarder' &&
          attack.authorizations.some((a) => a.action === 'events:PutEvents' && a.context['events:source'] === source),
      );
    }
    // EventBridge's own rule, not a policy: the matrix says so instead of naming a statement.
    some(({ attack }) => attack.deniedBy.kind === 'service' && attack.deniedBy.rule === ServiceRules.awsSources);
  });

  it('invoking the ingest function and passing the hub roles', () => {
    some(({ attack }) =>
      attack.authorizations.some(
        (a) => a.action === 'lambda:InvokeFunction' && a.resource.endsWith(`:function:${ResourceNames.ingestFunction}`),
      ),
    );
    some(({ attack }) =>
      attack.authorizations.some(
        (a) => a.action === 'iam:PassRole' && a.resource.endsWith(`:role/${ResourceNames.ingestRole}`),
      ),
    );
  });

  it('assuming SSMHubReader from anywhere but the hub roles, and SSMHubRestorer without a source identity', () => {
    const assumes = (attack: Attack, role: string) =>
      attack.authorizations.some((a) => a.action === 'sts:AssumeRole' && a.resource.endsWith(`:role/${role}`));
    const readerAttackers = everyAttack
      .filter(({ attack }) => assumes(attack, ResourceNames.readerRole))
      .map(({ principal }) => principal.id);
    expect(readerAttackers).toEqual(
      expect.arrayContaining([
        'restore-operator',
        'member-administrator',
        'hub-administrator',
        'member-application',
        'outsider',
      ]),
    );
    some(
      ({ attack }) =>
        assumes(attack, ResourceNames.restorerRole) &&
        attack.authorizations.every((a) => a.context['sts:SourceIdentity'] === undefined),
    );
  });

  it('key administration without break-glass', () => {
    for (const action of ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey']) {
      some(({ principal, attack }) => principal.id !== 'break-glass' && actions(attack).includes(action));
    }
  });

  it('the alarm path: CloudWatch publishing a hub alarm, and another account’s alarm', () => {
    const services = matrix.find((p) => p.id === 'aws-services');
    const publishes = (call: MatrixCall) =>
      call.authorizations.some(
        (a) => a.action === 'sns:Publish' && a.resource.endsWith(`:${ResourceNames.alarmTopic}`),
      );
    const cloudWatch = (call: MatrixCall) => {
      const caller = call.as ?? services?.caller;
      return caller?.kind === 'service' && caller.service === 'cloudwatch.amazonaws.com'
        ? caller.sourceAccount
        : undefined;
    };
    expect(services?.allowed.some((c) => publishes(c) && cloudWatch(c) === MATRIX_LAYOUT.hubAccount)).toBe(true);
    expect(services?.attacks.some((a) => publishes(a) && cloudWatch(a) === MATRIX_LAYOUT.outsideAccount)).toBe(true);
  });

  it('every open attack and every defect names its fix', () => {
    for (const { attack } of everyAttack)
      if (attack.openUntil !== undefined) expect(attack.openUntil.length).toBeGreaterThan(10);
    for (const call of matrix.flatMap((p) => p.allowed))
      if (call.defect !== undefined) expect(call.defect.length).toBeGreaterThan(10);
    const counts = matrixCounts(matrix);
    expect(counts.attacks).toBeGreaterThanOrEqual(counts.principals);
  });
});

describe('docs/security.md', () => {
  const START = '<!-- permission-matrix:start -->';
  const END = '<!-- permission-matrix:end -->';
  const security = (): string => readFileSync(join(repoRoot, 'docs', 'security.md'), 'utf8');

  it('shows the matrix exactly as scripts/permission-matrix.mjs prints it, from these sources', () => {
    const doc = security();
    const start = doc.indexOf(START);
    const end = doc.indexOf(END);
    expect(start, `docs/security.md has no ${START}`).toBeGreaterThan(0);
    expect(end, `docs/security.md has no ${END} after the start`).toBeGreaterThan(start);
    const shown = doc.slice(start + START.length, end).trim();

    const printed = execFileSync(process.execPath, [join(repoRoot, 'scripts', 'permission-matrix.mjs')], {
      cwd: repoRoot,
      encoding: 'utf8',
    }).trim();
    // The script reads the built package: the same table as the sources, or the build is stale.
    expect(printed, 'packages/iam/dist is older than src/matrix.ts: run `npx tsc -b packages/iam`').toBe(
      permissionMatrixTable(matrix),
    );
    expect(shown, 'docs/security.md is out of date: run `node scripts/permission-matrix.mjs --write`').toBe(printed);
  });

  it('says what evaluates it, and under which license', () => {
    // Whitespace as a reader sees it: the sentence may wrap.
    expect(security().replace(/\s+/g, ' ')).toContain(
      "`@cloud-copilot/iam-simulate` (AGPL-3.0) evaluates these; it is a development dependency used only by tests and the sandbox's enforcement, never bundled into a Lambda or the CLI.",
    );
  });
});
