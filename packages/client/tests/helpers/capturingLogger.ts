import { Logger } from '@aws-lambda-powertools/logger';

/** A hub function's logger (Powertools, DEBUG) whose every line goes to `lines`: what a leak test reads. */
export function capturingLogger(lines: string[], serviceName = 'ssmhub-ingest'): Logger {
  const logger = new Logger({ serviceName, logLevel: 'DEBUG' });
  const write = (text: string): void => void lines.push(text);
  // Powertools writes through its console; capture what it prints.
  (logger as unknown as { console: Console }).console = {
    ...console,
    info: write,
    warn: write,
    error: write,
    debug: write,
    log: write,
  } as unknown as Console;
  return logger;
}
