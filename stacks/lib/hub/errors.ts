import type { IConstruct } from 'constructs';

/** Thrown when a hub construct's props cannot make a working deployment; the message names the construct. */
export class HubPropsError extends Error {
  constructor(scope: IConstruct, message: string) {
    super(`${scope.node.path}: ${message}`);
    this.name = 'HubPropsError';
  }
}
