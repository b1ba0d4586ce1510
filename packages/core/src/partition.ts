/**
 * The AWS partition a region belongs to (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`...): the second
 * field of every ARN in that region.
 *
 * @example
 * partitionOf('cn-north-1'); // 'aws-cn'
 * `arn:${partitionOf(region)}:iam::${account}:role/SSMHubReader`;
 */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  return 'aws';
}
