/*
 * Argument and input checks shared by the indicators. Messages follow the house format
 * `<where>: received <value>, expected <what>` so a bad parameter or bar is named.
 * Parameters usually come from a strategy's config, hence ConfigError; a non-finite input is a
 * broken invariant upstream (a NaN price), hence InvariantError — it would poison every running
 * sum after it, so it is rejected before any state changes.
 */
import { ConfigError, InvariantError } from '@kbot/core';

function invalidParameter(indicator: string, parameter: string, value: unknown, expected: string): ConfigError {
  return new ConfigError([{ path: `${indicator} ${parameter}`, received: String(value), expected }]);
}

export function requirePeriod(indicator: string, parameter: string, value: number, minimum = 1): number {
  if (!Number.isInteger(value) || value < minimum) throw invalidParameter(indicator, parameter, value, `an integer ≥ ${minimum}`);
  return value;
}

export function requirePositive(indicator: string, parameter: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw invalidParameter(indicator, parameter, value, 'a finite number > 0');
  return value;
}

/** For constraints the helpers above do not cover (e.g. MACD fastPeriod < slowPeriod). */
export function parameterError(indicator: string, parameter: string, value: unknown, expected: string): ConfigError {
  return invalidParameter(indicator, parameter, value, expected);
}

export function invalidInput(indicator: string, field: string, value: unknown): InvariantError {
  return new InvariantError(`${indicator} ${field}: received ${String(value)}, expected a finite number`);
}

/** Checks the fields every bar-input indicator reads. */
export function requirePriceBar(indicator: string, bar: { readonly high: number; readonly low: number; readonly close: number }): void {
  if (!Number.isFinite(bar.high)) throw invalidInput(indicator, 'bar.high', bar.high);
  if (!Number.isFinite(bar.low)) throw invalidInput(indicator, 'bar.low', bar.low);
  if (!Number.isFinite(bar.close)) throw invalidInput(indicator, 'bar.close', bar.close);
}

/** Volume must be finite and non-negative: a negative volume would silently flip OBV and VWAP weights. */
export function requireVolume(indicator: string, volume: number): void {
  if (!Number.isFinite(volume) || volume < 0) {
    throw new InvariantError(`${indicator} bar.volume: received ${String(volume)}, expected a finite number ≥ 0`);
  }
}
