import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/errors.js';
import { BaseStrategy } from '../strategy/strategy.js';
import type { Subscription } from '../model/market-data.js';
import { applyEnvOverrides } from './env-overrides.js';
import { defineConfig, validateConfig } from './schema.js';
import { Secret, redact, secretFromEnv } from './secret.js';

class Noop extends BaseStrategy<{ n: number }> {
  subscriptions(): Subscription[] {
    return [];
  }
}

function issues(input: unknown): string[] {
  try {
    validateConfig(input);
  } catch (error) {
    return (error as ConfigError).issues.map((issue) => `${issue.path}: received ${issue.received}, expected ${issue.expected}`);
  }
  return [];
}

describe('validateConfig', () => {
  it('fills defaults', () => {
    const config = validateConfig(defineConfig({ strategies: [Noop.with({ n: 1 })] }));
    expect(config.mode).toBe('backtest');
    expect(config.backtest.balances).toEqual({ USD: '10000' });
    expect(config.backtest.fees).toBe('kraken');
    expect(config.storage.dir).toBe('./trading_data');
    expect(config.recording.maxTotalSize).toBe('2G');
  });

  it('takes a size or false for the flight recordings, and names a bad one', () => {
    expect(validateConfig({ strategies: [Noop.with({ n: 1 })], recording: { maxTotalSize: false } }).recording.maxTotalSize).toBe(false);
    expect(issues({ strategies: [Noop.with({ n: 1 })], recording: { maxTotalSize: '2GB' } })).toEqual([
      'recording.maxTotalSize: received "2GB", expected a size such as "2G", "500M" or "64K"',
    ]);
  });

  it('reports every problem as path: received X, expected Y', () => {
    expect(issues({ mode: 'moon', strategies: [], risk: { maxOpenOrders: 0 }, backtest: { balances: { usd: '1' }, maxVolumeParticipation: 2 }, extra: 1 })).toEqual([
      'mode: received "moon", expected one of "backtest", "paper", "live"',
      'strategies: received an array of 0, expected at least 1 item(s)',
      'risk.maxOpenOrders: received 0, expected > 0',
      'backtest.balances.usd: received "usd", expected an asset code such as "USD"',
      'backtest.maxVolumeParticipation: received 2, expected ≤ 1',
      'extra: received an unknown key, expected no such key (check the spelling)',
    ]);
  });

  it('names money fields that are not decimals', () => {
    expect(issues({ strategies: [Noop.with({ n: 1 })], backtest: { balances: { USD: '10,000' } } })).toEqual([
      'backtest.balances.USD: received "10,000", expected a decimal number such as "10000" or "0.5"',
    ]);
  });

  it('rejects something that is not a strategy', () => {
    expect(issues({ strategies: [Noop] })[0]).toMatch(/^strategies\[0\]: received function Noop, expected/);
  });

  it('says "an array", not "a array"', () => {
    expect(issues({ strategies: [Noop.with({ n: 1 })], learning: {} })).toEqual(['learning: received an object, expected an array']);
  });

  it('a field with several forms lists them, or the problem inside the form meant', () => {
    const strategies = [Noop.with({ n: 1 })];
    expect(issues({ strategies, backtest: { fees: 'zero' } })).toEqual(['backtest.fees: received "zero", expected "kraken", "instrument" or { maker, taker }']);
    expect(issues({ strategies, backtest: { fees: { maker: '0.001' } } })).toEqual(['backtest.fees.taker: received nothing, expected a decimal number such as "10000" or "0.5"']);
    expect(issues({ strategies, backtest: { data: [{ generated: { instrument: 'BTC/USD' } }, { file: 'x.csv', format: 'kraken-ohlcv' }, 7] } })).toEqual([
      'backtest.data[1].format: received "kraken-ohlcv", expected one of "kraken-ohlcvt", "kraken-rest-ohlc", "freqtrade-json", "kraken-trades", "binance-csv", "kraken-spreads"',
      'backtest.data[2]: received 7, expected a file path, { file, format?, instrument?, interval?, resample?, replay? }, { generated } or { generatedTicks }',
    ]);
  });

  it('checks backtest dates, and from before to, with every other problem', () => {
    const strategies = [Noop.with({ n: 1 })];
    expect(issues({ strategies, backtest: { from: '2023-13-01', slippageBps: -1 } })).toEqual([
      'backtest.from: received "2023-13-01", expected a real date such as 2023-01-31 or 2023-01-31T12:00:00Z',
      'backtest.slippageBps: received -1, expected ≥ 0',
    ]);
    expect(issues({ strategies, backtest: { from: '2024-03-01', to: '2024-01-01', slippageBps: -1 } })).toEqual([
      'backtest.slippageBps: received -1, expected ≥ 0',
      'backtest.to: received "2024-01-01", expected a time after backtest.from (2024-03-01T00:00:00.000Z)',
    ]);
    // Epoch seconds and milliseconds compare as kbot backtest reads them.
    expect(issues({ strategies, backtest: { from: 1704067200, to: 1704067200000 } })).toEqual([
      'backtest.to: received 1704067200000 (from 1704067200), expected a time after backtest.from (2024-01-01T00:00:00.000Z)',
    ]);
    expect(issues({ strategies, backtest: { data: [{ generated: { instrument: 'BTC/USD', start: '2024-02-30' } }] } })).toEqual([
      'backtest.data[0].generated.start: received "2024-02-30", expected a real date such as 2023-01-31 or 2023-01-31T12:00:00Z',
    ]);
    expect(validateConfig({ strategies, backtest: { from: '2024-01-01', to: '2024-03-01T12:00:00Z' } }).backtest.from).toBe('2024-01-01');
  });

  it('the error message lists all issues, one per line', () => {
    expect(() => validateConfig({ mode: 1 }, 'kbot.config.ts')).toThrow(/invalid config kbot\.config\.ts:\n {2}mode: received 1/);
  });
});

describe('environment overrides and secrets', () => {
  it('KBOT_MODE, KBOT_STORAGE_DIR and KBOT_LOG_LEVEL override the file', () => {
    const config = validateConfig(applyEnvOverrides({ strategies: [Noop.with({ n: 1 })] }, { KBOT_MODE: 'paper', KBOT_STORAGE_DIR: '/data', KBOT_LOG_LEVEL: 'debug' }));
    expect(config.mode).toBe('paper');
    expect(config.storage.dir).toBe('/data');
    expect(config.log.level).toBe('debug');
  });

  it('a bad override is reported like a bad config value, naming the variable', () => {
    expect(issues(applyEnvOverrides({ strategies: [Noop.with({ n: 1 })] }, { KBOT_MODE: 'yolo' }))).toEqual(['KBOT_MODE (overrides mode): received "yolo", expected one of "backtest", "paper", "live"']);
    expect(issues(applyEnvOverrides({ strategies: [Noop.with({ n: 1 })], log: { level: 'debug' } }, { KBOT_LOG_LEVEL: 'verbose' }))).toEqual([
      'KBOT_LOG_LEVEL (overrides log.level): received "verbose", expected one of "debug", "info", "warn", "error", "silent"',
    ]);
    // The same value written in the file is the file's problem.
    expect(issues(applyEnvOverrides({ strategies: [Noop.with({ n: 1 })], log: { level: 'verbose' as never } }, {}))).toEqual([
      'log.level: received "verbose", expected one of "debug", "info", "warn", "error", "silent"',
    ]);
  });

  it('a secret never prints: string, JSON, inspect and template all show [redacted]', () => {
    const secret = secretFromEnv('KEY', { KEY: '  abcd-secret-1234 ' })!;
    expect(secret.reveal()).toBe('abcd-secret-1234');
    expect(String(secret)).toBe('[redacted]');
    expect(`${secret}`).toBe('[redacted]');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}');
    expect(inspect({ secret })).not.toContain('abcd');
    expect(redact('failed with key abcd-secret-1234 at x', [secret])).toBe('failed with key [redacted] at x');
    expect(secretFromEnv('MISSING', {})).toBeUndefined();
    expect(new Secret('x').toJSON()).toBe('[redacted]');
  });
});
