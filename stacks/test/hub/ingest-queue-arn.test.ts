import { Template } from 'aws-cdk-lib/assertions';
import { HubEnvironment, ResourceNames } from '@ssmhub/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { IngestPipeline } from '../../lib/hub/ingest-pipeline.js';
import { SYNTH_TIMEOUT, testStack } from '../helpers.js';
import { logicalIdOf, workerProps } from './fixtures.js';

// Issue 19 item 1: ingest processes only records of its own queue, so its Lambda is told which
// queue that is (the handler refuses to start without it).

let pipeline: IngestPipeline;
let template: Template;
beforeAll(() => {
  const stack = testStack();
  pipeline = new IngestPipeline(stack, 'IngestPipeline', workerProps(stack));
  template = Template.fromStack(stack);
}, SYNTH_TIMEOUT);

describe('ingest Lambda', () => {
  it("gets its own queue's ARN, the only source of records it processes", () => {
    const [ingest] = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { FunctionName: ResourceNames.ingestFunction },
      }),
    );
    const variables = ingest?.Properties.Environment.Variables as Record<string, unknown>;
    expect(variables[HubEnvironment.ingestQueueArn]).toEqual({ 'Fn::GetAtt': [logicalIdOf(pipeline.queue), 'Arn'] });
  });
});
