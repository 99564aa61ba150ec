import type { StrategyStateValue } from '../model/events.js';

/*
 * What strategies keep across restarts (`ctx.state`): per strategy, keys to plain JSON values.
 * The engine journals every change (`strategy-state-changed`) and snapshots hold the whole map,
 * so recovery gives a strategy back what it had set, even after a kill. Values are copied and
 * frozen on the way in: a strategy that changes its object afterwards must set it again, or the
 * journal would not know.
 */

/** The text kept beside a number: numbers are compared as numbers (see `set`). */
const NUMBER_TEXT = '';

/** One strategy's kept values: the frozen value, and its JSON text to tell a real change. */
export class StrategyStateStore {
  private readonly values = new Map<string, { readonly value: StrategyStateValue; readonly text: string }>();

  constructor(initial?: ReadonlyMap<string, unknown>, where = 'strategy state') {
    for (const [key, value] of initial ?? []) {
      const copy = plainStateValue(value, `${where} "${key}"`);
      this.values.set(key, { value: copy, text: JSON.stringify(copy) });
    }
  }

  get(key: string): StrategyStateValue | undefined {
    return this.values.get(key)?.value;
  }

  keys(): string[] {
    return [...this.values.keys()];
  }

  get size(): number {
    return this.values.size;
  }

  /**
   * Sets (or with undefined deletes) a value; returns the frozen copy kept, or `unchanged` when
   * the value equals the one kept (nothing to journal).
   */
  set(key: string, value: unknown, where: string): { readonly value: StrategyStateValue | undefined } | 'unchanged' {
    if (typeof key !== 'string' || key.length === 0) throw new TypeError(`${where}: key: received ${JSON.stringify(key) ?? String(key)}, expected a non-empty string`);
    const current = this.values.get(key);
    // A number (a trailing stop's high, changing on most bars of a rising market) skips the copy
    // and the JSON text: measured at about 5 µs a change in a backtest's exits, most of it those.
    if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) {
      if (current !== undefined && current.value === value) return 'unchanged';
      this.values.set(key, { value, text: NUMBER_TEXT });
      return { value };
    }
    if (value === undefined) {
      if (current === undefined) return 'unchanged';
      this.values.delete(key);
      return { value: undefined };
    }
    const copy = plainStateValue(value, `${where} "${key}"`);
    const text = JSON.stringify(copy);
    if (current !== undefined && current.text !== NUMBER_TEXT && current.text === text) return 'unchanged';
    this.values.set(key, { value: copy, text });
    return { value: copy };
  }

  /** The values as a plain object, for snapshots. */
  toJSON(): Record<string, StrategyStateValue> {
    return Object.fromEntries([...this.values].map(([key, entry]) => [key, entry.value]));
  }
}

/**
 * A deep, frozen copy of `value` if it is plain JSON that reads back as itself; otherwise a
 * TypeError naming where in the value the problem is. Decimals are refused rather than turned
 * into text silently: the strategy chooses `toFixed()` or a number and knows which it gets back.
 */
export function plainStateValue(value: unknown, where: string, path = 'value', depth = 0): StrategyStateValue {
  if (depth > 64) throw new TypeError(`${where}: ${path}: nested more than 64 levels, expected plain JSON data`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    throw new TypeError(`${where}: ${path}: received ${Object.is(value, -0) ? '-0' : String(value)}, expected a finite number (JSON cannot keep it)`);
  }
  if (Array.isArray(value)) return Object.freeze(value.map((item, index) => plainStateValue(item, where, `${path}[${index}]`, depth + 1)));
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      throw new TypeError(`${where}: ${path}: received a ${name}, expected plain JSON data (a string, number, boolean, null, array or plain object; a Decimal as its toFixed() text)`);
    }
    const copy: Record<string, StrategyStateValue> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) throw new TypeError(`${where}: ${path}.${key}: received undefined, expected a value (leave the key out instead)`);
      copy[key] = plainStateValue(item, where, `${path}.${key}`, depth + 1);
    }
    return Object.freeze(copy);
  }
  throw new TypeError(`${where}: ${path}: received ${typeof value === 'bigint' ? `${String(value)}n` : typeof value}, expected plain JSON data (a string, number, boolean, null, array or plain object)`);
}
