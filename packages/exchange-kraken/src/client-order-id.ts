import { createHash } from 'node:crypto';

const LONG_UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SHORT_UUID = /^[0-9a-fA-F]{32}$/;
/** Kraken's third form: free text of at most 18 characters (printable ASCII, no spaces). */
const FREE_TEXT = /^[\x21-\x7e]{1,18}$/;

/** Whether Kraken accepts `id` as a `cl_ord_id` as it is: a UUID, 32 hex digits, or up to 18 printable characters. */
export function isKrakenClientOrderId(id: string): boolean {
  // Free text first: kbot's own ids are that form, and every order asks.
  return FREE_TEXT.test(id) || LONG_UUID.test(id) || SHORT_UUID.test(id);
}

/**
 * The `cl_ord_id` kbot sends for a client order id. kbot's ids (`L<start>-<n>`) fit Kraken's
 * free-text form and go as they are, so the venue shows the id the journal has. Anything longer
 * or with spaces is mapped to 32 hex digits of its SHA-256 (Kraken's short-UUID form): the same
 * id always gives the same value, so an order can be looked up again after a restart.
 */
export function toKrakenClientOrderId(id: string): string {
  if (isKrakenClientOrderId(id)) return id;
  return createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 32);
}
