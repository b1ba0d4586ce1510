import { GetParameterHistoryCommand, type ParameterHistory, type SSMClient } from '@aws-sdk/client-ssm';

/** GetParameterHistory's largest page. */
export const HISTORY_PAGE_SIZE = 50;

/**
 * Every version SSM still keeps of `name` (at most the last 100), decrypted, oldest first; or
 * undefined when the parameter does not exist.
 */
export async function readParameterHistory(ssm: SSMClient, name: string): Promise<ParameterHistory[] | undefined> {
  const versions: ParameterHistory[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await ssm.send(
        new GetParameterHistoryCommand({
          Name: name,
          WithDecryption: true,
          MaxResults: HISTORY_PAGE_SIZE,
          NextToken: nextToken,
        }),
      );
      versions.push(...(page.Parameters ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    if (error instanceof Error && error.name === 'ParameterNotFound') return undefined;
    throw error;
  }
  return versions.sort((a, b) => (a.Version ?? 0) - (b.Version ?? 0));
}
