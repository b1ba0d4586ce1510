import { describe, expect, it } from 'vitest';
import { partitionOf } from '../../src/identifiers.js';

describe('partitionOf', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-west-1', 'aws'],
    ['ap-southeast-2', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
  ])('puts %s in %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});
