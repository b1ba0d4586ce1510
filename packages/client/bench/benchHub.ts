import { DynamoDBLocal, Emulator, dynamoDBLocalUnavailable, provisionWorld, type SandboxInfo } from '@ssmhub/sandbox';

/**
 * The sandbox a CLI benchmark runs on: the index on DynamoDB Local when Java and
 * `npm run setup:dynamodb-local` are there (AWS's own engine: its Query cost does not grow with
 * the partition, the emulator's does), else on the emulator; the first line logged says which.
 * SSMHUB_BENCH_DYNAMODB=moto forces the emulator.
 */
export async function startBenchSandbox(
  log: (line: string) => void,
  memberCount = 1,
): Promise<{ info: SandboxInfo; stop(): Promise<void> }> {
  const unavailable =
    process.env.SSMHUB_BENCH_DYNAMODB === 'moto' ? 'SSMHUB_BENCH_DYNAMODB=moto' : dynamoDBLocalUnavailable();
  log(unavailable ? `index on the emulator (${unavailable})` : 'index on DynamoDB Local, the rest on the emulator');
  const dynamoLocal = unavailable ? undefined : await DynamoDBLocal.start();
  const emulator = await Emulator.start().catch(async (error: unknown) => {
    await dynamoLocal?.stop();
    throw error;
  });
  const stop = async (): Promise<void> => {
    await emulator.stop();
    await dynamoLocal?.stop();
  };
  try {
    const info = await provisionWorld(emulator.endpoint, {
      memberCount,
      regions: ['us-east-1'],
      hubRegion: 'us-east-1',
      ...(dynamoLocal ? { dynamoEndpoint: dynamoLocal.endpoint } : {}),
    });
    return { info, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
