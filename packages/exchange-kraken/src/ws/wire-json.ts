import { isDecimal } from '@kbot/core';
import { JsonNumber } from './lossless-json.js';

// Keys as JSON text, by key: requests use the same few keys over and over. Bounded, in case a
// caller builds keys from data.
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_LIMIT = 1024;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < QUOTED_KEYS_LIMIT) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * Requests as JSON text, with Decimal values written as JSON *numbers* in their exact digits
 * (`"order_qty":1.25`). Kraken's v2 trading methods take numbers, and JSON.stringify would either
 * quote a Decimal or, via a float, change its digits. Undefined fields are left out. An order is
 * serialized on its way to the socket, so the text is built by concatenation, without the
 * intermediate arrays of Object.entries and join.
 */
export function toWireJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`request: received ${value}, expected a finite number`);
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (isDecimal(value)) {
        if (!value.isFinite()) throw new TypeError(`request: received ${value.toString()}, expected a finite decimal`);
        return value.toFixed();
      }
      if (value instanceof JsonNumber) return value.text;
      if (Array.isArray(value)) {
        let text = '[';
        for (let index = 0; index < value.length; index++) {
          const item: unknown = value[index];
          text += (index === 0 ? '' : ',') + (item === undefined ? 'null' : toWireJson(item));
        }
        return `${text}]`;
      }
      let text = '{';
      let first = true;
      // for…in lists own keys in the order Object.entries does; inherited ones are skipped.
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        text += (first ? '' : ',') + quotedKey(key) + ':' + toWireJson(item);
        first = false;
      }
      return `${text}}`;
    }
    default:
      throw new TypeError(`request: received a ${typeof value}, expected JSON data`);
  }
}
