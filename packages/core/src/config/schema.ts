import { z } from 'zod';
import { ConfigError } from '../errors/errors.js';
import type { Learner } from '../learning/learner.js';
import type { RiskPolicy } from '../risk/risk-policy.js';
import type { TradingBudget } from '../risk/policies/order-rate.js';
import { isStrategySpec, type StrategySpec } from '../strategy/strategy.js';
import { isKbotPlugin, type KbotPlugin } from '../di/plugin.js';
import { parseTimeOption } from '../backtest/backtest-data.js';
import { envVariableFor } from './env-overrides.js';
import { configErrorMap, configIssuesFromZod } from './zod-issues.js';

/** A positive whole number and a unit: a plain `\d+` lets "0h" through, which fails later under another name. */
const POSITIVE_INTERVAL = /^[1-9]\d*[mhdw]$/;

const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Money in configs: a decimal string ("10000.50") or a plain number. */
const money = z.union([z.string().regex(DECIMAL_TEXT, 'a decimal number such as "10000" or "0.5"'), z.number().finite()], { error: 'a decimal number such as "10000" or "0.5"' }).transform(String);
const positiveMoney = money.refine((value) => Number(value) > 0, 'a positive amount');
const fraction = z.number().finite().min(0).max(1);

/** Dates as `kbot backtest` reads them (text, or epoch seconds below 10^11, else milliseconds); undefined when impossible. */
function timeMs(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return parseTimeOption(value, '');
  } catch {
    return undefined;
  }
}

// Checked here, not only when a backtest opens its data, so `kbot config check` finds an impossible date too.
const timeText = z.union([z.string().min(1), z.number().int().nonnegative()], { error: 'a date such as "2023-01-31" or an epoch time in seconds or milliseconds' }).refine((value) => timeMs(value) !== undefined, 'a real date such as 2023-01-31 or 2023-01-31T12:00:00Z');

const strategyByName = z.object({
  use: z.string().min(1),
  id: z.string().min(1).optional(),
  params: z.record(z.string(), z.unknown()).default({}),
}).strict();

const STRATEGY_FORMS = 'a strategy such as MyStrategy.with({ ... }) or { use: "name", params: { ... } }';
const strategyEntry = z.union([z.custom<StrategySpec>(isStrategySpec, STRATEGY_FORMS), strategyByName], { error: STRATEGY_FORMS });

const dataEntry = z.union([
  z.string().min(1).describe('a file path'),
  z.object({
    file: z.string().min(1),
    /** `kraken-spreads`: Kraken's Spread data (`unix,bid,ask,...`), replayed as quotes. */
    format: z.enum(['kraken-ohlcvt', 'kraken-rest-ohlc', 'freqtrade-json', 'kraken-trades', 'binance-csv', 'kraken-spreads']).optional(),
    instrument: z.string().regex(/^[A-Za-z0-9.]+\/[A-Za-z0-9.]+$/, 'an instrument such as "BTC/USD"').optional(),
    interval: z.string().regex(POSITIVE_INTERVAL, 'a positive interval such as "1m", "15m", "4h", "1d"').optional(),
    /** Replay the file's bars aggregated to this longer interval (a whole multiple of the file's). */
    resample: z.string().regex(POSITIVE_INTERVAL, 'a positive interval such as "15m", "1h", "4h", "1d"').optional(),
    /**
     * What the file is replayed as: `bars` (candle files; trade files aggregated to `interval`),
     * `trades` (a trade file, one Trade event per row) or `quotes` (a spreads file). Default: `quotes`
     * for spreads files, `bars` for everything else. `interval` only applies to bars.
     */
    replay: z.enum(['bars', 'trades', 'quotes']).optional(),
  }).strict(),
  z.object({
    generated: z.object({
      instrument: z.string().regex(/^[A-Za-z0-9.]+\/[A-Za-z0-9.]+$/, 'an instrument such as "BTC/USD"'),
      interval: z.string().regex(POSITIVE_INTERVAL, 'a positive interval such as "1m", "15m", "4h", "1d"').default('1h'),
      bars: z.number().int().positive().max(50_000_000).default(5000),
      seed: z.number().int().default(1),
      start: timeText.default('2024-01-01'),
      startPrice: z.number().positive().default(40_000),
    }).strict(),
  }).strict(),
  /** A GENERATED tick market (quotes, trades and bars from a seeded random walk): see generateTicks. */
  z.object({
    generatedTicks: z.object({
      instrument: z.string().regex(/^[A-Za-z0-9.]+\/[A-Za-z0-9.]+$/, 'an instrument such as "BTC/USD"'),
      hours: z.number().positive().max(24 * 366).default(24),
      seed: z.number().int().default(1),
      start: timeText.default('2024-01-01'),
      startPrice: z.number().positive().default(40_000),
      volatility: z.number().min(0).max(10).default(0.6),
      spreadBps: z.number().positive().max(10_000).default(1),
      priceIncrement: z.number().positive().optional(),
      tradesPerMinute: z.number().min(0).max(10_000).default(12),
      meanTradeNotional: z.number().positive().default(3000),
      bars: z.union([z.string().regex(POSITIVE_INTERVAL, 'a positive interval such as "1m"'), z.literal(false)]).default('1m'),
    }).strict(),
  }).strict(),
]);

const instrumentEntry = z.object({
  id: z.string().regex(/^[A-Za-z0-9.]+\/[A-Za-z0-9.]+$/, 'an instrument such as "BTC/USD"'),
  pricePrecision: z.number().int().min(0).max(18),
  quantityPrecision: z.number().int().min(0).max(18),
  priceIncrement: money.optional(),
  quantityIncrement: money.optional(),
  minQuantity: money.optional(),
  minCost: money.optional(),
  makerFee: money.optional(),
  takerFee: money.optional(),
}).strict();

const backtestSection = z.object({
  data: z.array(dataEntry).default([]),
  from: timeText.optional(),
  to: timeText.optional(),
  /** What the simulated account holds at the start, per asset. */
  balances: z.record(z.string().regex(/^[A-Z0-9.]{1,16}$/, 'an asset code such as "USD"'), money).default({ USD: '10000' }),
  /** Asset equity and P&L are measured in; defaults to the first instrument's quote asset. */
  quoteAsset: z.string().regex(/^[A-Z0-9.]{1,16}$/, 'an asset code such as "USD"').optional(),
  /**
   * `kraken` applies Kraken's spot fee tiers by 30-day volume; `instrument` each instrument's own
   * makerFee/takerFee (see `instruments`); an object sets fixed rates (fractions: 0.0025 = 0.25%).
   */
  fees: z.union([z.literal('kraken'), z.literal('instrument'), z.object({ maker: money, taker: money }).strict()]).default('kraken'),
  /** Slippage of market and stop fills, in basis points of the price. */
  slippageBps: z.number().finite().min(0).max(1000).default(5),
  /** Largest share of one bar's volume an order may take; the rest fills on later bars. */
  maxVolumeParticipation: fraction.refine((value) => value > 0, 'a fraction greater than 0').default(0.1),
  /** Whether a limit order fills when the price only touches it, or must trade through it. */
  limitFillOn: z.enum(['through', 'touch']).default('through'),
  instruments: z.array(instrumentEntry).default([]),
}).strict().superRefine((section, context) => {
  const from = timeMs(section.from);
  const to = timeMs(section.to);
  if (from !== undefined && to !== undefined && from >= to) {
    context.addIssue({ code: 'custom', path: ['to'], message: `a time after backtest.from (${new Date(from).toISOString()})` });
  }
}, {
  // Run even when other fields have problems, so this one is listed with them.
  when: (payload) => typeof payload.value === 'object' && payload.value !== null,
});

const assetCode = z.string().regex(/^[A-Z0-9.]{1,16}$/, 'an asset code such as "USD"');
const nonNegativeMoney = money.refine((value) => Number(value) >= 0, 'an amount of 0 or more');

/** Every built-in policy has a key here (docs/risk.md); `policies` adds your own, which run first. */
const riskSection = z.object({
  maxPositionQuote: positiveMoney.optional(),
  maxPositionBase: positiveMoney.optional(),
  maxExposureQuote: positiveMoney.optional(),
  maxOpenOrders: z.number().int().positive().optional(),
  maxOrdersPerMinute: z.number().int().positive().optional(),
  /** Remaining venue budget per instrument (e.g. Kraken's trading counter), for the order-rate policy. */
  tradingBudget: z.custom<TradingBudget>((value) => typeof value === 'function', 'a function (instrumentId, time) => remaining budget or undefined').optional(),
  dailyLossQuote: positiveMoney.optional(),
  /** Where the daily-loss breaker moves trading; `reducing` when left out. */
  dailyLossAction: z.enum(['reducing', 'halted']).optional(),
  maxDrawdownPercent: z.number().finite().gt(0).max(100).optional(),
  minBalance: z.record(assetCode, nonNegativeMoney).optional(),
  strategyBudgets: z.record(z.string().min(1), positiveMoney).optional(),
  priceBandPercent: z.number().finite().gt(0).optional(),
  /**
   * Acting on the venue's book-health reports (paper and live with checked books): orders that add
   * exposure wait while an instrument's book is resynchronised, and with `maxResyncs` a breaker
   * trips when one book is resynchronised that often within `windowMs` (docs/risk.md).
   */
  bookHealth: z.object({
    holdWhileResyncing: z.boolean().optional(),
    maxResyncs: z.number().int().positive().optional(),
    windowMs: z.number().finite().positive().optional(),
    action: z.enum(['reducing', 'halted']).optional(),
  }).strict().optional(),
  fatFinger: z.object({
    maxOrderQuote: positiveMoney.optional(),
    maxOrderMultipleOfAverage: z.number().finite().gt(1).optional(),
    sampleSize: z.number().int().positive().optional(),
    minimumSamples: z.number().int().positive().optional(),
  }).strict().refine((value) => value.maxOrderQuote !== undefined || value.maxOrderMultipleOfAverage !== undefined, 'maxOrderQuote, maxOrderMultipleOfAverage or both').optional(),
  policies: z.array(z.custom<RiskPolicy>((value) => typeof value === 'object' && value !== null && typeof (value as RiskPolicy).check === 'function', 'a RiskPolicy (an object with name and check)')).default([]),
}).strict();

/**
 * Logs of paper and live runs: JSON lines in `file` (relative to storage.dir; `false` for none),
 * rotated past `rotate.size` and every `rotate.interval`, keeping `rotate.keep` old files.
 */
const logSection = z.object({
  level: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  file: z.union([z.literal(false), z.string().min(1)]).default('logs/kbot.log'),
  rotate: z.object({
    size: z.union([z.literal(false), z.string().regex(/^[1-9]\d*[BKMG]$/, 'a size such as "10M", "500K" or "1G"')]).default('10M'),
    interval: z.union([
      z.literal(false),
      z.string().regex(/^([1-9]\d*d|(1|2|3|4|6|8|12|24)h|(1|2|3|4|5|6|10|12|15|20|30|60)m)$/, 'an interval such as "1d", "12h" or "30m" (hours dividing 24, minutes dividing 60)'),
    ]).default('1d'),
    keep: z.number().int().min(1).max(1000).default(10),
  }).strict().default({ size: '10M', interval: '1d', keep: 10 }),
}).strict();

/**
 * Flight recordings of paper and live sessions (docs/flight-recorder.md): all of a bot's
 * recordings together are kept under `maxTotalSize`, the oldest deleted first; false: no limit.
 */
const recordingSection = z.object({
  maxTotalSize: z.union([z.literal(false), z.string().regex(/^[1-9]\d*[BKMG]$/, 'a size such as "2G", "500M" or "64K"')]).default('2G'),
}).strict();

export const kbotConfigSchema = z.object({
  name: z.string().min(1).default('kbot'),
  mode: z.enum(['backtest', 'paper', 'live']).default('backtest'),
  exchange: z.custom<KbotPlugin>(isKbotPlugin, 'an exchange plugin such as kraken({ ... })').optional(),
  strategies: z.array(strategyEntry).min(1),
  risk: riskSection.default({ policies: [] }),
  learning: z.array(z.custom<Learner>((value) => typeof value === 'object' && value !== null && typeof (value as Learner).observe === 'function' && typeof (value as Learner).advise === 'function', 'a Learner (an object with observe and advise)')).default([]),
  plugins: z.array(z.custom<KbotPlugin>(isKbotPlugin, 'a kbot plugin')).default([]),
  storage: z.object({ dir: z.string().min(1).default('./trading_data') }).strict().default({ dir: './trading_data' }),
  backtest: backtestSection.default(() => backtestSection.parse({})),
  log: logSection.default(() => logSection.parse({})),
  recording: recordingSection.default(() => recordingSection.parse({})),
}).strict();

/** What a user writes in kbot.config.ts (defaults may be left out). */
export type KbotConfigInput = z.input<typeof kbotConfigSchema>;
/** A validated config, defaults filled in. */
export type KbotConfig = z.output<typeof kbotConfigSchema>;
export type DataEntry = z.output<typeof dataEntry>;
export type StrategyEntry = z.output<typeof strategyEntry>;

/** Types the config in kbot.config.ts; validation happens when kbot loads it. */
export function defineConfig(config: KbotConfigInput): KbotConfigInput {
  return config;
}

/** Validates a config, reporting every problem (not just the first) as one ConfigError. */
export function validateConfig(input: unknown, source?: string): KbotConfig {
  const result = kbotConfigSchema.safeParse(input, { reportInput: true, error: configErrorMap });
  if (!result.success) {
    // A value set by KBOT_LOG_LEVEL (etc.) is not in the file: name the variable.
    const issues = configIssuesFromZod(result.error).map((issue) => {
      const variable = envVariableFor(input, issue.path);
      return variable === undefined ? issue : { ...issue, path: `${variable} (overrides ${issue.path})` };
    });
    throw new ConfigError(issues, source);
  }
  return result.data;
}
