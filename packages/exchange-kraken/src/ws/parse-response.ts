import type { EpochMs } from '@kbot/core';
import type { JsonValue } from './lossless-json.js';
import { parseRfc3339 } from './parse-timestamp.js';
import { wsInteger, wsRecord, wsString } from './ws-fields.js';

/** A reply to a request (`subscribe`, `ping`, `add_order`, …), spec §8.1. */
export interface KrakenMethodResponse {
  readonly method: string;
  /** The request's `req_id`, echoed back; undefined when Kraken left it out. */
  readonly requestId: number | undefined;
  /** Only a literal `success: true` is a success; absent or anything else is a failure (spec §8.1). */
  readonly success: boolean;
  readonly result: JsonValue | undefined;
  /** Kraken's error: one string, not an array. */
  readonly error: string | undefined;
  readonly warnings: readonly string[];
  readonly timeIn: EpochMs | undefined;
  readonly timeOut: EpochMs | undefined;
  /** Top-level fields beyond the documented ones (batch_cancel has been seen with `orders_cancelled` there). */
  readonly extra: Readonly<Record<string, unknown>>;
}

const KNOWN = new Set(['method', 'req_id', 'success', 'result', 'error', 'warnings', 'time_in', 'time_out']);

function optionalTime(value: unknown): EpochMs | undefined {
  if (typeof value !== 'string') return undefined;
  const time = parseRfc3339(value);
  return Number.isNaN(time) ? undefined : time;
}

/** A message with a `method` field → the reply it is. */
export function parseMethodResponse(message: unknown): KrakenMethodResponse {
  const fields = wsRecord(message, 'reply');
  const method = wsString(fields.method, 'reply.method');
  const resultWarnings = typeof fields.result === 'object' && fields.result !== null && !Array.isArray(fields.result) ? (fields.result as Record<string, unknown>).warnings : undefined;
  const warnings = [fields.warnings, resultWarnings].flatMap((list) => (Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : []));
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (!KNOWN.has(key)) extra[key] = value;
  return {
    method,
    requestId: fields.req_id === undefined ? undefined : wsInteger(fields.req_id, `${method} reply.req_id`),
    success: fields.success === true,
    result: fields.result as JsonValue | undefined,
    error: typeof fields.error === 'string' ? fields.error : fields.error === undefined ? undefined : JSON.stringify(fields.error),
    warnings,
    timeIn: optionalTime(fields.time_in),
    timeOut: optionalTime(fields.time_out),
    extra,
  };
}
