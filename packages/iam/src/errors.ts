import { SsmHubError } from '@ssmhub/core';

/**
 * A signed request the mapping cannot place: an operation it does not know, or one whose resource
 * it cannot name. The gateway refuses such a request rather than guess what AWS would authorize.
 * The message names the service, the operation (or method and path) and the reason, never a body
 * or a header value: bodies carry parameter values.
 */
export class UnmappedRequestError extends SsmHubError {
  public constructor(
    public readonly service: string,
    /** The operation (`GetItem`), or the method and path of a REST request it could not name. */
    public readonly operation: string,
    public readonly reason: string,
  ) {
    super(`Cannot map ${service} ${operation} to IAM authorizations: ${reason}`);
  }
}

/**
 * An `authorization` header or presigned query that claims SigV4 but whose credential scope cannot
 * be read (or a signature version the gateway does not evaluate). The message holds no header value.
 */
export class MalformedSignatureError extends SsmHubError {}

/** A template holds something the resolver cannot give a concrete value (an unknown intrinsic or reference). */
export class TemplateResolutionError extends SsmHubError {}

/** The policy world cannot answer for a principal or resource (no such role, no template for it). */
export class PolicyWorldError extends SsmHubError {}
