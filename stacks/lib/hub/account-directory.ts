import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Lets a hub role read account names and OU paths for the registry (the sweep plan's
 * refreshAccountDirectory of @ssmhub/hub): ListParents and DescribeOrganizationalUnit on the
 * organization's accounts and OUs only. ListAccounts (no resource) the hub roles already have.
 */
export function grantAccountDirectoryReads(role: iam.Role, organizationId: string): void {
  const resources = [
    `arn:${Aws.PARTITION}:organizations::*:account/${organizationId}/*`,
    `arn:${Aws.PARTITION}:organizations::*:ou/${organizationId}/ou-*`,
  ];
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadAccountNamesAndOUs',
      actions: ['organizations:ListParents', 'organizations:DescribeOrganizationalUnit'],
      resources,
    }),
  );
  Validations.of(role).acknowledge(
    ...resources.map((resource) => ({
      id: `AwsSolutions-IAM5[Resource::${resource.replace(Aws.PARTITION, '<AWS::Partition>')}]`,
      reason:
        'Names and OU paths of the accounts and OUs of the organization (its management account is not known here)',
    })),
  );
}
