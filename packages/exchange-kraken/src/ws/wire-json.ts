import { isDecimal, toDecimal } from '@kbot/core';
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
 * An object whose wire JSON was written when it was made: an order request is built from values
 * already formatted at the instrument's precision, so its text costs one concatenation instead
 * of a walk over its fields and a second formatting of its Decimals. Its fields are its own
 * properties as on any object; the text is kept in a private field, which no copy (spread,
 * Object.assign, structuredClone) carries, so a changed copy is always written field by field.
 * The maker assigns the fields, in the order of the text, then freezes the object; toWireJson
 * uses the text only for a frozen one, whose fields can no longer change.
 */
export class WireJsonObject {
  readonly #fieldsText: string;

  /**
   * `fieldsText`: the object's JSON text without its closing brace (`{"side":"buy","order_qty":0.5`),
   * so a request can append its token after the last field. Only its length is checked: reading
   * a character would copy the freshly concatenated text into one piece, which the socket write
   * does anyway, after the token and req_id are added.
   */
  constructor(fieldsText: string) {
    if (fieldsText.length < 2) throw new TypeError(`WireJsonObject: received ${JSON.stringify(fieldsText)}, expected an object's JSON text without its closing brace`);
    this.#fieldsText = fieldsText;
  }

  /** The written text without its closing brace, when `value` is a frozen WireJsonObject; else undefined. */
  static fieldsTextOf(value: object): string | undefined {
    return #fieldsText in value && Object.isFrozen(value) ? value.#fieldsText : undefined;
  }
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
    case 'number': {
      if (!Number.isFinite(value)) throw new TypeError(`request: received ${value}, expected a finite number`);
      const text = JSON.stringify(value);
      // 1e-7 or 1e+21: the digits instead, as a Decimal writes them (a price or quantity).
      return text.includes('e') ? toDecimal(value).toFixed() : text;
    }
    case 'object': {
      if (value === null) return 'null';
      if (isDecimal(value)) {
        if (!value.isFinite()) throw new TypeError(`request: received ${value.toString()}, expected a finite decimal`);
        return value.toFixed();
      }
      if (value instanceof JsonNumber) return value.text;
      const written = WireJsonObject.fieldsTextOf(value);
      if (written !== undefined) return `${written}}`;
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
        // Prices and quantities given as text are numbers on the wire, as Kraken takes them.
        const wire = typeof item === 'string' && DECIMAL_FIELDS.has(key) ? toDecimal(item, `request ${key}`).toFixed() : toWireJson(item);
        text += (first ? '' : ',') + quotedKey(key) + ':' + wire;
        first = false;
      }
      return `${text}}`;
    }
    default:
      throw new TypeError(`request: received a ${typeof value}, expected JSON data`);
  }
}

/** The trading fields that are numbers on Kraken's wire (ws/trading-types.ts types them DecimalLike). */
const DECIMAL_FIELDS = new Set(['order_qty', 'display_qty', 'cash_order_qty', 'limit_price', 'trigger_price', 'price']);

// The last token as JSON text: a token is used for many requests (minutes) before it changes.
let lastToken = '';
let lastQuotedToken = '""';

function quotedToken(token: string): string {
  if (token !== lastToken) {
    lastQuotedToken = JSON.stringify(token);
    lastToken = token;
  }
  return lastQuotedToken;
}

/**
 * The text of one WebSocket v2 request: `{"method":…,"params":{…},"req_id":…}`, with `token`
 * (when given) as the last field of `params`. The same text as
 * `toWireJson({ method, params: { ...params, token }, req_id })`, without copying `params`; for
 * params whose text was written when they were made (an order request) it is a concatenation.
 */
export function toWireRequest(method: string, params: object | undefined, requestId: number, token?: string): string {
  const head = `{"method":${quotedKey(method)}`;
  // A safe integer's JSON text is its String(); anything else goes through the checks.
  const tail = `,"req_id":${Number.isSafeInteger(requestId) ? String(requestId) : toWireJson(requestId)}}`;
  if (params === undefined) return head + tail;
  if (token === undefined) return `${head},"params":${toWireJson(params)}${tail}`;
  const written = WireJsonObject.fieldsTextOf(params);
  // A written object never has its own `token`: with one, the copy below puts the token in its place.
  if (written !== undefined && !Object.hasOwn(params, 'token')) return `${head},"params":${written},"token":${quotedToken(token)}}${tail}`;
  return `${head},"params":${toWireJson({ ...params, token })}${tail}`;
}
