import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './emulator.js';
import { EmulatorError } from './errors.js';
import { ServerProcess } from './serverProcess.js';

/** Environment variable that overrides where DynamoDB Local's jars are (the directory of DynamoDBLocal-*.jar). */
export const DYNAMODB_LOCAL_ENV = 'SSMHUB_DYNAMODB_LOCAL';
/** Environment variable naming the java binary. @default 'java' on the PATH */
export const JAVA_ENV = 'SSMHUB_JAVA';

const LOOPBACK = '127.0.0.1';
const MAIN_CLASS = 'com.amazonaws.services.dynamodbv2.local.main.ServerRunner';

/**
 * The directory holding DynamoDB Local's jars and sqlite4java native libraries: `$SSMHUB_DYNAMODB_LOCAL`,
 * else `.dynamodb-local/lib` in the nearest directory above this package that has one (where
 * `npm run setup:dynamodb-local` puts them). Undefined when not installed.
 */
export function findDynamoDBLocal(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  const override = process.env[DYNAMODB_LOCAL_ENV];
  if (override) return existsSync(override) ? override : undefined;
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, '.dynamodb-local', 'lib');
    if (existsSync(candidate) && readdirSync(candidate).some((file) => /^DynamoDBLocal-.*\.jar$/.test(file))) {
      return candidate;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Why DynamoDB Local cannot run here (no java, or not installed, with the fix), or undefined when it can.
 * Scale benchmarks and the DynamoDB Local test print it and fall back (or skip).
 */
export function dynamoDBLocalUnavailable(): string | undefined {
  const java = process.env[JAVA_ENV] ?? 'java';
  const probe = spawnSync(java, ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) return `no Java runtime (${java}): DynamoDB Local needs Java 17+`;
  if (!findDynamoDBLocal()) return 'DynamoDB Local is not installed: run `npm run setup:dynamodb-local`';
  return undefined;
}

/**
 * AWS's own DynamoDB engine (DynamoDB Local, in memory) on a loopback port: what the scale
 * benchmarks run the index on, because the emulator's DynamoDB slows down as a partition grows
 * and AWS's does not. Everything else stays on the emulator.
 *
 * @example
 * const dynamo = await DynamoDBLocal.start();
 * const sandbox = await startTestSandbox({ dynamoEndpoint: dynamo.endpoint });
 * await dynamo.stop();
 */
export class DynamoDBLocal {
  private constructor(
    public readonly endpoint: string,
    private readonly server: ServerProcess,
  ) {}

  /** Starts DynamoDB Local in memory and waits until it answers; throws EmulatorError saying why it cannot. */
  public static async start(options: { readonly startTimeoutMs?: number } = {}): Promise<DynamoDBLocal> {
    const unavailable = dynamoDBLocalUnavailable();
    if (unavailable) throw new EmulatorError(unavailable);
    const lib = findDynamoDBLocal() as string;
    const port = await freePort();
    const endpoint = `http://${LOOPBACK}:${port}`;
    const child = spawn(
      process.env[JAVA_ENV] ?? 'java',
      [
        `-Djava.library.path=${lib}`,
        '-cp',
        join(lib, '*'),
        MAIN_CLASS,
        '-inMemory',
        // One database for every access key and region: the hub and the CLI see the same table.
        '-sharedDb',
        '-port',
        String(port),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const server = new ServerProcess(child);
    // Any HTTP answer means the server listens (an unsigned request gets a 400).
    const answers = async (): Promise<boolean> => {
      await (await fetch(endpoint, { signal: AbortSignal.timeout(2_000) })).arrayBuffer();
      return true;
    };
    try {
      await server.waitUntil(`DynamoDB Local at ${endpoint}`, answers, options.startTimeoutMs ?? 30_000);
    } catch (error) {
      throw server.failedStart(error);
    }
    return new DynamoDBLocal(endpoint, server);
  }

  /** Process id of the Java process. */
  public get pid(): number {
    return this.server.pid;
  }

  /** Stops DynamoDB Local and waits for it to exit. */
  public async stop(): Promise<void> {
    await this.server.stop();
  }
}
