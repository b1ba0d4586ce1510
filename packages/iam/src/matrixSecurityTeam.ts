/**
 * The permission matrix's rows for the security team's features (issue 23): account names and OU
 * paths read by the reconcile role, `ssmhub Finding` events on the hub bus, and findings sent to
 * Security Hub by both hub roles. Added to the principals of permissionMatrix by id.
 */
import { FindingEvent, ResourceNames, WatchedChangeEvent } from '@ssmhub/core';
import type { AllowedCall, Attack, MatrixPrincipal } from './matrix.js';
import type { Authorization } from './types.js';
import type { OrganizationLayout } from './world.js';

/** The organization's management account in the matrix's world (the hub account, as in the sandbox). */
function managementAccount(layout: OrganizationLayout): string {
  return layout.hubAccount;
}

/** The rows each principal (by MatrixPrincipal id) gains. */
export function securityTeamRows(
  layout: OrganizationLayout & { memberRegion?: string; outsideAccount: string },
): Readonly<Record<string, { readonly allowed: AllowedCall[]; readonly attacks: Attack[] }>> {
  const { partition: p, hubAccount: hub, hubRegion: region, organizationId } = layout;
  const member = layout.memberAccounts[0] as string;
  const management = managementAccount(layout);
  const on = (action: string, resource: string, account: string, context: Authorization['context'] = {}) => ({
    action,
    resource,
    resourceAccount: account,
    context,
  });
  const bus = `arn:${p}:events:${region}:${hub}:event-bus/${ResourceNames.hubEventBus}`;
  const putEvents = (source: string, detailType: string) => [
    on('events:PutEvents', bus, hub, { 'events:source': source, 'events:detail-type': detailType }),
  ];
  const product = `arn:${p}:securityhub:${region}:${hub}:product/${hub}/default`;
  const securityHub = `arn:${p}:securityhub:${region}:${hub}:hub/default`;

  const announceFinding: AllowedCall = {
    call: 'announce a new finding (`events:PutEvents` on the hub bus, source `ssmhub`, detail-type `ssmhub Finding`)',
    authorizations: putEvents(FindingEvent.source, FindingEvent.detailType),
  };
  const sendFindings: AllowedCall = {
    call: 'send new and fixed findings to Security Hub (`securityhub:BatchImportFindings` under the hub’s own product, `BatchUpdateFindings` to resolve a fixed one)',
    authorizations: [
      on('securityhub:BatchImportFindings', product, hub),
      on('securityhub:BatchUpdateFindings', securityHub, hub),
    ],
  };
  const importElsewhere: Attack = {
    call: 'import findings under another account’s product (`securityhub:BatchImportFindings`)',
    authorizations: [
      on(
        'securityhub:BatchImportFindings',
        `arn:${p}:securityhub:${region}:${layout.outsideAccount}:product/${layout.outsideAccount}/default`,
        layout.outsideAccount,
      ),
    ],
    deniedBy: { kind: 'implicit', why: 'the hub roles may import only under the hub account’s own product' },
  };
  const forgeWatchedEventAsFinding: Attack = {
    call: 'put an event of another detail-type under source `ssmhub` (`events:PutEvents`, detail-type `ssmhub Finding Fixed`)',
    authorizations: putEvents(WatchedChangeEvent.source, 'ssmhub Finding Fixed'),
    deniedBy: { kind: 'implicit', why: 'the hub roles may put only the watched-change and finding detail-types' },
  };
  return {
    ingest: { allowed: [announceFinding, sendFindings], attacks: [importElsewhere, forgeWatchedEventAsFinding] },
    reconcile: {
      allowed: [
        announceFinding,
        sendFindings,
        {
          call: 'read account names and OU paths (`organizations:ListParents`, `DescribeOrganizationalUnit`)',
          authorizations: [
            on(
              'organizations:ListParents',
              `arn:${p}:organizations::${management}:account/${organizationId}/${member}`,
              management,
            ),
            on(
              'organizations:DescribeOrganizationalUnit',
              `arn:${p}:organizations::${management}:ou/${organizationId}/ou-ssmh-workloads`,
              management,
            ),
          ],
        },
      ],
      attacks: [
        {
          call: 'read another organization’s OU (`organizations:DescribeOrganizationalUnit`)',
          authorizations: [
            on(
              'organizations:DescribeOrganizationalUnit',
              `arn:${p}:organizations::${layout.outsideAccount}:ou/o-otherorg/ou-othr-root`,
              layout.outsideAccount,
            ),
          ],
          deniedBy: { kind: 'implicit', why: 'ReadAccountNamesAndOUs names only the hub’s organization' },
        },
      ],
    },
  };
}

/** `principals` with the security team's rows added to the ones they belong to. */
export function withSecurityTeamRows(
  principals: MatrixPrincipal[],
  layout: OrganizationLayout & { memberRegion?: string; outsideAccount: string },
): MatrixPrincipal[] {
  const rows = securityTeamRows(layout);
  return principals.map((principal) => {
    const extra = rows[principal.id];
    return extra
      ? {
          ...principal,
          allowed: [...principal.allowed, ...extra.allowed],
          attacks: [...principal.attacks, ...extra.attacks],
        }
      : principal;
  });
}
