import type { Secret } from '../config/secret.js';

/** What a censored value reads as, in every log line. */
export const REDACTED = '[redacted]';

/**
 * Field names that hold credentials somewhere in kbot or its venues (Kraken signs requests with
 * `API-Key` / `API-Sign` headers; WebSocket auth uses a `token`). Any field with one of these names is
 * censored, whatever its value.
 */
export const SECRET_FIELD_NAMES: readonly string[] = Object.freeze([
  'key', 'secret', 'apiKey', 'apiSecret', 'api_key', 'api_secret', 'privateKey', 'passphrase', 'password', 'otp',
  'token', 'authorization', 'Authorization', 'credentials', 'cookie', 'API-Key', 'API-Sign',
]);

/** How deep (in nested objects) field names are matched: `a.b.c.key` is depth 3. */
const MAX_DEPTH = 3;

function segment(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : `[${JSON.stringify(name)}]`;
}

/**
 * pino `redact` paths for SECRET_FIELD_NAMES at the top level and up to three objects deep
 * (`*.key`, `*.*.key`, ...). pino compiles them once, so censoring costs nothing per line beyond
 * the lookups.
 */
export function secretRedactPaths(names: readonly string[] = SECRET_FIELD_NAMES): string[] {
  const paths: string[] = [];
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    const prefix = '*.'.repeat(depth);
    for (const name of names) {
      const part = segment(name);
      paths.push(part.startsWith('[') ? (depth === 0 ? part : `${prefix.slice(0, -1)}${part}`) : `${prefix}${part}`);
    }
  }
  return paths;
}

/**
 * Replaces every occurrence of the given secret values in a value's strings (any depth), so a key
 * that slips into a message or an error text is still censored. Only values of 4+ characters are
 * matched: shorter ones would censor ordinary words.
 */
export function scrubSecretValues<T>(value: T, secrets: readonly Secret[]): T {
  const texts = secrets.map((secret) => secret.reveal()).filter((text) => text.length >= 4);
  if (texts.length === 0) return value;
  const scrub = (item: unknown, seen: Set<object>): unknown => {
    if (typeof item === 'string') return texts.reduce((text, secret) => (text.includes(secret) ? text.split(secret).join(REDACTED) : text), item);
    if (typeof item !== 'object' || item === null || seen.has(item)) return item;
    seen.add(item);
    if (Array.isArray(item)) return item.map((entry) => scrub(entry, seen));
    if (item instanceof Error) return scrub({ name: item.name, message: item.message }, seen);
    if (Object.getPrototypeOf(item) !== Object.prototype && Object.getPrototypeOf(item) !== null) return item;
    return Object.fromEntries(Object.entries(item).map(([name, entry]) => [name, scrub(entry, seen)]));
  };
  return scrub(value, new Set()) as T;
}
