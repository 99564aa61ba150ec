import { createHash, createHmac } from 'node:crypto';
import { ExchangeError } from '@kbot/core';

export interface SignatureInput {
  /** URI path from `/0/private/...`, no host and no query string. */
  readonly path: string;
  /** The nonce exactly as it appears in the body. */
  readonly nonce: string | number;
  /** The exact body bytes that will be sent (form-encoded or JSON text), including the nonce. */
  readonly body: string;
  /** The API secret as Kraken shows it: base64 text. */
  readonly secret: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Whether `secret` (trimmed) is base64 text, as Kraken shows API secrets: what signing can use. */
export function isKrakenSecretText(secret: string): boolean {
  const text = secret.trim();
  return text.length > 0 && text.length % 4 === 0 && BASE64.test(text);
}

/**
 * Kraken's `API-Sign` header: base64(HMAC-SHA512(base64decode(secret), path ‖ SHA256(nonce + body))).
 * The path and the hash are concatenated as bytes; mixing string encodings of the hash is the
 * classic bug this avoids.
 */
export function signKrakenRequest(input: SignatureInput): string {
  const secret = input.secret.trim();
  // Node's base64 decoder silently skips bad characters, so a mangled secret would sign garbage.
  if (!isKrakenSecretText(secret)) {
    throw new ExchangeError(
      'authentication',
      `Kraken API secret: received a value of ${secret.length} characters that is not base64 text, expected the private key exactly as Kraken shows it`,
    );
  }
  const inner = createHash('sha256').update(`${input.nonce}${input.body}`, 'utf8').digest();
  const message = Buffer.concat([Buffer.from(input.path, 'utf8'), inner]);
  return createHmac('sha512', Buffer.from(secret, 'base64')).update(message).digest('base64');
}
