import { MalformedSignatureError } from './errors.js';
import type { HttpRequest, SignatureScope } from './types.js';

const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
const CREDENTIAL_FIELD = 'Credential=';
const SCOPE_TERMINATOR = 'aws4_request';

/**
 * Who signed a request and for which region and service, read from its SigV4 credential scope:
 * the `authorization` header, or a presigned URL's `X-Amz-Credential` query parameter. The
 * signature itself is not verified (the emulator behind the gateway does not check it either).
 * Returns `undefined` for an unsigned request; throws MalformedSignatureError for one whose
 * signature claims a scope it does not spell out, or uses another algorithm (SigV2, SigV4a).
 *
 * @example
 * parseSignature({
 *   method: 'GET',
 *   url: '/bucket/key',
 *   headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20261203/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=…' },
 *   body: Buffer.alloc(0),
 * }); // { accessKeyId: 'AKID', region: 'us-east-1', service: 's3' }
 */
export function parseSignature(request: HttpRequest): SignatureScope | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) return scopeFromHeader(header);
  const queryStart = request.url.indexOf('?');
  if (queryStart < 0) return undefined;
  const query = new URLSearchParams(request.url.slice(queryStart + 1));
  const credential = query.get('X-Amz-Credential');
  if (credential === null) return undefined;
  if (query.get('X-Amz-Algorithm') !== SIGV4_ALGORITHM) {
    throw new MalformedSignatureError(`A presigned URL must use ${SIGV4_ALGORITHM}`);
  }
  return scopeFromCredential(credential);
}

function scopeFromHeader(header: string): SignatureScope {
  if (!header.startsWith(`${SIGV4_ALGORITHM} `)) {
    throw new MalformedSignatureError(`The authorization header must use ${SIGV4_ALGORITHM}`);
  }
  const fieldStart = header.indexOf(CREDENTIAL_FIELD);
  if (fieldStart < 0) throw new MalformedSignatureError('The authorization header has no Credential');
  const valueStart = fieldStart + CREDENTIAL_FIELD.length;
  const valueEnd = header.indexOf(',', valueStart);
  return scopeFromCredential(header.slice(valueStart, valueEnd < 0 ? undefined : valueEnd).trim());
}

/** `AKID/20261203/us-east-1/s3/aws4_request` → its access key, region and service. */
function scopeFromCredential(credential: string): SignatureScope {
  const [accessKeyId, date, region, service, terminator, ...rest] = credential.split('/');
  if (!accessKeyId || !date || !region || !service || terminator !== SCOPE_TERMINATOR || rest.length > 0) {
    throw new MalformedSignatureError('The SigV4 credential scope is not <key>/<date>/<region>/<service>/aws4_request');
  }
  return { accessKeyId, region, service };
}
