/** What a restore plan was made for: the arguments `ssmhub restore` takes. */
export interface RestoreRequest {
  readonly path: string;
  readonly at: string;
  readonly account: string;
  readonly region: string;
  readonly recursive: boolean;
  readonly toAccount?: string;
  readonly toRegion?: string;
}

/** Quotes a word for a POSIX shell, leaving plain words bare so the command stays readable. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_/.:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The exact `ssmhub restore … --apply` command that carries out a plan the console showed, with
 * the connection flags the console itself was started with (the console never writes to SSM).
 *
 * @example
 * restoreCommand({ path: '/app/', at: '2026-11-21T10:00:00.000Z', account: '111122223333', region: 'eu-west-1', recursive: true }, []);
 * // ssmhub restore /app/ --at 2026-11-21T10:00:00.000Z --account 111122223333 --region eu-west-1 --recursive --apply
 */
export function restoreCommand(request: RestoreRequest, connectionFlags: readonly string[]): string {
  const words = [
    'ssmhub',
    'restore',
    request.path,
    '--at',
    request.at,
    '--account',
    request.account,
    '--region',
    request.region,
    ...(request.recursive ? ['--recursive'] : []),
    ...(request.toAccount ? ['--to-account', request.toAccount] : []),
    ...(request.toRegion ? ['--to-region', request.toRegion] : []),
    ...connectionFlags,
    '--apply',
  ];
  return words.map(shellWord).join(' ');
}
