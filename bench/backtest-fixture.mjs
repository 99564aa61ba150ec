// What the backtest benchmark runs, shared by the timed runs and the memory child process:
// the bot, the streaming bar source, and the bare loop the engine is compared with.
import { createBot, generateBars, runBacktest, validateConfig } from '@kbot/core';
import { EmaRsiTrend } from '@kbot/strategies';

export const STRATEGY_PARAMS = Object.freeze({ pair: 'BTC/USD', interval: '1m', fastPeriod: 12, slowPeriod: 26, rsiPeriod: 14 });
/** The strategy's defaults for the parts of the decision the bare loop repeats. */
const ENTRY_RSI_BELOW = 70;
const EXIT_RSI_ABOVE = 80;
const STOP_LOSS_PERCENT = 5;

/** A fresh streaming source: bars are made one at a time as the run pulls them, never stored. */
export function barSource(count) {
  return generateBars({ instrumentId: 'BTC/USD', interval: '1m', count, seed: 1, startPrice: 30000 });
}

const columnsByCount = new Map();

/**
 * The same bars replayed from memory: generated once into Float64Array columns (outside any timed
 * region), then each pass makes one Bar object per bar, as a file reader does. This keeps the
 * data source's own cost (the generator's random numbers) out of the engine figure; the
 * generator is measured on its own row.
 */
export function replaySource(count) {
  let columns = columnsByCount.get(count);
  if (columns === undefined) {
    columns = { openTime: new Float64Array(count), open: new Float64Array(count), high: new Float64Array(count), low: new Float64Array(count), close: new Float64Array(count), volume: new Float64Array(count) };
    let index = 0;
    for (const bar of barSource(count)) {
      columns.openTime[index] = bar.openTime;
      columns.open[index] = bar.open;
      columns.high[index] = bar.high;
      columns.low[index] = bar.low;
      columns.close[index] = bar.close;
      columns.volume[index] = bar.volume;
      index++;
    }
    columnsByCount.set(count, columns);
  }
  const { openTime, open, high, low, close, volume } = columns;
  const template = barSource(count);
  return {
    instrumentId: template.instrumentId,
    interval: template.interval,
    format: 'replay',
    summary: () => template.summary(),
    *[Symbol.iterator]() {
      const instrumentId = template.instrumentId;
      const interval = template.interval;
      for (let index = 0; index < count; index++) {
        yield { instrumentId, interval, openTime: openTime[index], open: open[index], high: high[index], low: low[index], close: close[index], volume: volume[index], trades: undefined };
      }
    },
  };
}

/** The benchmark bot; `params` overrides strategy parameters (the no-orders control run). */
export function benchConfig(params = {}) {
  return validateConfig({ name: 'bench', strategies: [EmaRsiTrend.with({ ...STRATEGY_PARAMS, ...params })] });
}

/** One backtest through the real engine (bus, strategy, risk, simulated venue, portfolio). */
export function runEngine({ bot, source }, options = {}) {
  return runBacktest({ bot, data: { bars: source, summaries: () => [source.summary()] }, kbotVersion: 'bench', ...options });
}

/** Untimed setup of one engine run: a new bot (fresh strategy state) and a new source. */
export function engineInput(count, config = benchConfig(), source = 'generator') {
  return { bot: createBot(config), source: source === 'replay' ? replaySource(count) : barSource(count) };
}

/** The closes of the same bars, generated once into a Float64Array (outside any timed region). */
export function closesOf(count) {
  const closes = new Float64Array(count);
  let index = 0;
  for (const bar of barSource(count)) closes[index++] = bar.close;
  return closes;
}

/**
 * The baseline: EmaRsiTrend's arithmetic written inline over a Float64Array. EMA(12) and EMA(26)
 * seeded with their simple averages, RSI(14) with Wilder's smoothing seeded the same way (as
 * ExponentialSmoother does), then the crossover decision: enter on an upward cross while RSI is
 * below 70, exit on a downward cross, RSI at 80 or a 5% stop. Fills are instant at the close; no
 * money, orders or events. Returns the final indicator values (checked against the library's
 * indicators) and the number of position changes.
 */
export function bareLoop(closes, fastPeriod = STRATEGY_PARAMS.fastPeriod, slowPeriod = STRATEGY_PARAMS.slowPeriod, rsiPeriod = STRATEGY_PARAMS.rsiPeriod) {
  const fastAlpha = 2 / (fastPeriod + 1);
  const slowAlpha = 2 / (slowPeriod + 1);
  const rsiAlpha = 1 / rsiPeriod;
  const stopFactor = 1 - STOP_LOSS_PERCENT / 100;
  let fast = 0;
  let slow = 0;
  let gain = 0;
  let loss = 0;
  let previousClose = 0;
  let previousSpread = 0;
  let hasPreviousSpread = false;
  let inPosition = false;
  let entryPrice = 0;
  let changes = 0;
  let rsi = Number.NaN;
  const length = closes.length;
  for (let index = 0; index < length; index++) {
    const close = closes[index];
    const count = index + 1;
    if (count > fastPeriod) fast += (close - fast) * fastAlpha;
    else {
      fast += close;
      if (count === fastPeriod) fast /= fastPeriod;
    }
    if (count > slowPeriod) slow += (close - slow) * slowAlpha;
    else {
      slow += close;
      if (count === slowPeriod) slow /= slowPeriod;
    }
    if (index > 0) {
      const change = close - previousClose;
      const up = change > 0 ? change : 0;
      const down = change < 0 ? -change : 0;
      if (index > rsiPeriod) {
        gain += (up - gain) * rsiAlpha;
        loss += (down - loss) * rsiAlpha;
      } else {
        gain += up;
        loss += down;
        if (index === rsiPeriod) {
          gain /= rsiPeriod;
          loss /= rsiPeriod;
        }
      }
    }
    previousClose = close;
    if (count < fastPeriod || count < slowPeriod || index < rsiPeriod) continue;
    rsi = loss === 0 ? (gain === 0 ? 50 : 100) : 100 - 100 / (1 + gain / loss);
    const spread = fast - slow;
    const previous = previousSpread;
    const hadPrevious = hasPreviousSpread;
    previousSpread = spread;
    hasPreviousSpread = true;
    if (!hadPrevious) continue;
    if (!inPosition) {
      if (previous <= 0 && spread > 0 && rsi < ENTRY_RSI_BELOW) {
        inPosition = true;
        entryPrice = close;
        changes++;
      }
    } else if ((previous >= 0 && spread < 0) || rsi >= EXIT_RSI_ABOVE || close <= entryPrice * stopFactor) {
      inPosition = false;
      changes++;
    }
  }
  return { fast, slow, rsi, changes };
}
