import { decimalString, isDecimal } from '../model/decimal.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Converts free-form data (strategy params) into plain JSON with a stable key order:
 * Decimal → decimal string, bigint → string, Date → ISO string, non-finite number → its name
 * ("Infinity", "NaN") rather than JSON's silent null, object keys sorted, undefined members and
 * functions dropped, a repeated reference on the current path → "[circular]".
 */
export function toJsonValue(value: unknown): JsonValue {
  return convert(value, new Set());
}

function convert(value: unknown, path: Set<object>): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'function':
    case 'symbol':
      return null;
    default:
      break;
  }
  if (isDecimal(value)) return decimalString(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  const object = value as object;
  if (path.has(object)) return '[circular]';
  path.add(object);
  try {
    if (Array.isArray(object)) return object.map((item) => convert(item, path));
    if (object instanceof Set) return [...object].map((item) => convert(item, path));
    const entries: Array<[string, unknown]> = object instanceof Map ? [...object].map(([k, v]) => [String(k), v]) : Object.entries(object);
    const out: { [key: string]: JsonValue } = {};
    for (const [key, item] of entries.sort(([a], [b]) => compareText(a, b))) {
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      out[key] = convert(item, path);
    }
    return out;
  } finally {
    path.delete(object);
  }
}

/** Code-unit order: unlike localeCompare, the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
