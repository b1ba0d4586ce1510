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

/**
 * Where the sandbox serves a Lambda function URL: `<gateway>/lambda-url/<function name>/`. On AWS
 * each URL has a host of its own; the sandbox has one gateway, so the function is in the path.
 */
export const SANDBOX_FUNCTION_URL_PATH = '/lambda-url/';

/** The URL the sandbox's IAM gateway at `gatewayEndpoint` serves `functionName`'s function URL at. */
export function sandboxFunctionUrl(gatewayEndpoint: string, functionName: string): string {
  return `${gatewayEndpoint.replace(/\/+$/, '')}${SANDBOX_FUNCTION_URL_PATH}${functionName}/`;
}

/**
 * The header by which the sandbox's own Parameter Store writer (SandboxParameterStore, which puts
 * SSM's event itself, or deliberately none to play a lost event) tells the IAM gateway not to put
 * one for its write. Every other SSM write through the gateway gets the event SSM would emit.
 */
export const SANDBOX_SELF_EMITTED_EVENT_HEADER = 'x-ssmhub-sandbox-self-emitted-event';
