import * as iam from 'aws-cdk-lib/aws-iam';

/** A statement of a resource policy, named by its Sid; its principals are the grantees. */
export interface SharedStatementProps extends Omit<iam.PolicyStatementProps, 'principals'> {
  readonly sid: string;
}

/**
 * The grants of one resource policy, one statement per purpose (its Sid) naming every principal
 * granted that purpose: the policy reads one statement per permission however many principals
 * hold it, and a key policy stays within its 32 KB.
 */
export class SharedStatements {
  private readonly resource: iam.IResourceWithPolicy;
  private readonly bySid = new Map<string, iam.PolicyStatement>();

  constructor(resource: iam.IResourceWithPolicy) {
    this.resource = resource;
  }

  /** Names the grantee in the statement `props.sid`, which the purpose's first grant adds to the policy. */
  grant(grantee: iam.IGrantable, props: SharedStatementProps): void {
    const existing = this.bySid.get(props.sid);
    if (existing !== undefined) {
      existing.addPrincipals(grantee.grantPrincipal);
      return;
    }
    const statement = new iam.PolicyStatement({ ...props, principals: [grantee.grantPrincipal] });
    this.bySid.set(props.sid, statement);
    this.resource.addToResourcePolicy(statement);
  }
}
