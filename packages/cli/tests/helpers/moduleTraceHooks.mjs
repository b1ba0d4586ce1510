// The loader hooks of moduleTrace.mjs (they run on the loader's own thread).
import { appendFileSync } from 'node:fs';

const file = process.env.SSMHUB_MODULE_TRACE;

export async function load(url, context, nextLoad) {
  if (file && url.startsWith('file:')) appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
