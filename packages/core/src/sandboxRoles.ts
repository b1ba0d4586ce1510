/**
 * Roles the local sandbox hands out that the stacks do not create: who a person or a stand-in for
 * an AWS service is in the sandbox. Shared by the sandbox (which creates the sessions), the CLI
 * (which signs in as the operator there) and the IAM gateway (which evaluates them).
 */
export const SandboxRoles = {
  /** The restore operator (the stacks' `restoreOperatorPrincipals` in the sandbox): the CLI and the demo. */
  restoreOperator: 'SSMHubRestoreOperator',
  /** A read-only analyst (the stacks' `indexReaderPrincipals` in the sandbox): the console. */
  analyst: 'SSMHubAnalyst',
  /** A member account's administrator (Organizations creates this role in every new account). */
  memberAdministrator: 'OrganizationAccountAccessRole',
  /**
   * The sandbox playing an AWS service in an account (SSM putting its change events on the
   * default bus): assumable by the sandbox's control plane only, never evaluated.
   */
  awsServiceStandIn: 'ssmhub-sandbox-aws-service',
} as const;
