import { ConfigError } from '../errors/errors.js';
import { instrumentId as toInstrumentId, type InstrumentId } from '../model/ids.js';
import { parseInterval } from '../model/time.js';

/*
 * Checks of the options that readers and the generator take from users (config files, CLI
 * flags). A bad option is a ConfigError naming the option, the value and what was expected.
 */

export function instrumentOption(path: string, value: string): InstrumentId {
  try {
    return toInstrumentId(value);
  } catch {
    throw new ConfigError([{ path, received: JSON.stringify(value), expected: 'BASE/QUOTE such as "BTC/USD"' }]);
  }
}

/** An interval as milliseconds (a positive whole number) or text such as `15m`, `4h`, `1d`. */
export function intervalOption(path: string, value: number | string): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value > 0) return value;
  } else {
    try {
      return parseInterval(value);
    } catch {
      // reported below with the option's name
    }
  }
  throw new ConfigError([{ path, received: JSON.stringify(value), expected: 'milliseconds (a positive whole number) or text such as "1m", "15m", "4h", "1d"' }]);
}

/** The `from`/`to` range (epoch ms, from inclusive, to exclusive); absent ends are unbounded. */
export function rangeOption(from: number | undefined, to: number | undefined): { from: number; to: number } {
  const issues = [];
  if (from !== undefined && !Number.isFinite(from)) issues.push({ path: 'from', received: String(from), expected: 'epoch milliseconds' });
  if (to !== undefined && !Number.isFinite(to)) issues.push({ path: 'to', received: String(to), expected: 'epoch milliseconds' });
  if (issues.length === 0 && from !== undefined && to !== undefined && from >= to) {
    issues.push({ path: 'to', received: String(to), expected: `a time after from (${from})` });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { from: from ?? -Infinity, to: to ?? Infinity };
}

export function chunkSizeOption(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (Number.isSafeInteger(value) && value >= 16) return value;
  throw new ConfigError([{ path: 'chunkSize', received: String(value), expected: 'a whole number of bytes >= 16' }]);
}
