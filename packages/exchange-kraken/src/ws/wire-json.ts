import { isDecimal } from '@kbot/core';
import { JsonNumber } from './lossless-json.js';

/**
 * Requests as JSON text, with Decimal values written as JSON *numbers* in their exact digits
 * (`"order_qty":1.25`). Kraken's v2 trading methods take numbers, and JSON.stringify would either
 * quote a Decimal or, via a float, change its digits. Undefined fields are left out.
 */
export function toWireJson(value: unknown): string {
  if (value === null) return 'null';
  if (isDecimal(value)) {
    if (!value.isFinite()) throw new TypeError(`request: received ${value.toString()}, expected a finite decimal`);
    return value.toFixed();
  }
  if (value instanceof JsonNumber) return value.text;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`request: received ${value}, expected a finite number`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item: unknown) => (item === undefined ? 'null' : toWireJson(item))).join(',')}]`;
      const parts: string[] = [];
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (item !== undefined) parts.push(`${JSON.stringify(key)}:${toWireJson(item)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`request: received a ${typeof value}, expected JSON data`);
  }
}
