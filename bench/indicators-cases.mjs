// The indicator benchmark's cases: each @kbot/strategies indicator's loop and a bare loop over a
// Float64Array computing the same formula (see README.md). indicators-child.mjs times one case.
import {
  ADX, ATR, BollingerBands, DonchianChannel, EMA, MACD, OBV, ROC, RSI, RollingVWAP, SMA, SessionVWAP, StandardDeviation, Stochastic, WMA, ZScore,
} from '@kbot/strategies';
import { barSource } from './backtest-fixture.mjs';

export const UPDATES = 1_000_000;
/** The target for the simple indicators (SMA, EMA, RSI): at least half the bare loop. */
const SIMPLE_TARGET = 0.5;
const PERIOD = 20;

/** The columns of 1M generated 1-minute bars, plus the same bars as objects (bar-input indicators read objects). */
export function inputs() {
  const columns = { high: new Float64Array(UPDATES), low: new Float64Array(UPDATES), close: new Float64Array(UPDATES), volume: new Float64Array(UPDATES) };
  const bars = new Array(UPDATES);
  let index = 0;
  for (const bar of barSource(UPDATES)) {
    columns.high[index] = bar.high;
    columns.low[index] = bar.low;
    columns.close[index] = bar.close;
    columns.volume[index] = bar.volume;
    bars[index] = { openTime: bar.openTime, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume };
    index++;
  }
  return { ...columns, bars };
}

// ---------------------------------------------------------------- the library, one loop each
// One function per indicator, so every `add` call site sees one class (as in a strategy). The
// loops allocate nothing, so runs skip the harness's GC (see `measure`'s collectGarbage).

function librarySMA({ close }) { const ind = new SMA(PERIOD); let v; for (let i = 0; i < close.length; i++) v = ind.add(close[i]); return v; }
function libraryEMA({ close }) { const ind = new EMA(PERIOD); let v; for (let i = 0; i < close.length; i++) v = ind.add(close[i]); return v; }
function libraryWMA({ close }) { const ind = new WMA(PERIOD); let v; for (let i = 0; i < close.length; i++) v = ind.add(close[i]); return v; }
function libraryRSI({ close }) { const ind = new RSI(14); let v; for (let i = 0; i < close.length; i++) v = ind.add(close[i]); return v; }
function libraryROC({ close }) { const ind = new ROC(10); let v; for (let i = 0; i < close.length; i++) v = ind.add(close[i]); return v; }
function libraryMACD({ close }) { const ind = new MACD(); let v; for (let i = 0; i < close.length; i++) v = ind.add(close[i]); return v?.histogram; }
function libraryStdDev({ close }) { const ind = new StandardDeviation(PERIOD); let v; for (let i = 0; i < close.length; i++) v = ind.add(close[i]); return v; }
function libraryBollinger({ close }) { const ind = new BollingerBands({ period: PERIOD }); let v; for (let i = 0; i < close.length; i++) v = ind.add(close[i]); return v?.upper; }
function libraryZScore({ close }) { const ind = new ZScore(PERIOD); let v; for (let i = 0; i < close.length; i++) v = ind.add(close[i]); return v; }
function libraryATR({ bars }) { const ind = new ATR(14); let v; for (let i = 0; i < bars.length; i++) v = ind.add(bars[i]); return v; }
function libraryOBV({ bars }) { const ind = new OBV(); let v; for (let i = 0; i < bars.length; i++) v = ind.add(bars[i]); return v; }
function libraryRollingVWAP({ bars }) { const ind = new RollingVWAP(PERIOD); let v; for (let i = 0; i < bars.length; i++) v = ind.add(bars[i]); return v; }
function libraryDonchian({ bars }) { const ind = new DonchianChannel(PERIOD); let v; for (let i = 0; i < bars.length; i++) v = ind.add(bars[i]); return v?.upper; }
function libraryADX({ bars }) { const ind = new ADX(14); let v; for (let i = 0; i < bars.length; i++) v = ind.add(bars[i]); return v?.adx; }
function libraryStochastic({ bars }) { const ind = new Stochastic(); let v; for (let i = 0; i < bars.length; i++) v = ind.add(bars[i]); return v?.k; }
function librarySessionVWAP({ bars }) { const ind = new SessionVWAP(); let v; for (let i = 0; i < bars.length; i++) v = ind.add(bars[i]); return v; }

// ---------------------------------------------------------------- bare loops of the same formulas
// Plain arithmetic over the columns: no objects, no validation, no undo bookkeeping.

function bareSMA({ close }) {
  const ring = new Float64Array(PERIOD);
  let next = 0;
  let sum = 0;
  let v;
  for (let i = 0; i < close.length; i++) {
    const slot = next;
    next = next + 1 === PERIOD ? 0 : next + 1;
    sum += close[i] - ring[slot];
    ring[slot] = close[i];
    if (i + 1 >= PERIOD) v = sum / PERIOD;
  }
  return v;
}

/** Exponential smoothing seeded with the mean of the first `period` inputs (EMA, Wilder). */
function bareSmooth(values, period, alpha) {
  let seed = 0;
  let v = 0;
  for (let i = 0; i < values.length; i++) {
    if (i >= period) v += (values[i] - v) * alpha;
    else {
      seed += values[i];
      if (i + 1 === period) v = seed / period;
    }
  }
  return v;
}
function bareEMA({ close }) { return bareSmooth(close, PERIOD, 2 / (PERIOD + 1)); }

function bareWMA({ close }) {
  const ring = new Float64Array(PERIOD);
  let next = 0;
  const divisor = (PERIOD * (PERIOD + 1)) / 2;
  let sum = 0;
  let weighted = 0;
  let v;
  for (let i = 0; i < close.length; i++) {
    const slot = next;
    next = next + 1 === PERIOD ? 0 : next + 1;
    const x = close[i];
    if (i >= PERIOD) {
      weighted += PERIOD * x - sum;
      sum += x - ring[slot];
      v = weighted / divisor;
    } else {
      weighted += (i + 1) * x;
      sum += x;
      if (i + 1 === PERIOD) v = weighted / divisor;
    }
    ring[slot] = x;
    if (slot === PERIOD - 1) {
      // At each wrap the ring is in age order: re-sum, as the library does, so rounding cannot build up.
      sum = 0;
      weighted = 0;
      for (let k = 0; k < PERIOD; k++) {
        sum += ring[k];
        weighted += (k + 1) * ring[k];
      }
      if (i + 1 >= PERIOD) v = weighted / divisor;
    }
  }
  return v;
}

function bareRSI({ close }) {
  const period = 14;
  const alpha = 1 / period;
  let gain = 0;
  let loss = 0;
  let v;
  for (let i = 1; i < close.length; i++) {
    const change = close[i] - close[i - 1];
    const up = change > 0 ? change : 0;
    const down = change < 0 ? -change : 0;
    if (i > period) {
      gain += (up - gain) * alpha;
      loss += (down - loss) * alpha;
    } else {
      gain += up;
      loss += down;
      if (i === period) {
        gain /= period;
        loss /= period;
      }
    }
    if (i >= period) v = loss === 0 ? (gain === 0 ? 50 : 100) : 100 - 100 / (1 + gain / loss);
  }
  return v;
}

function bareROC({ close }) {
  let v;
  for (let i = 10; i < close.length; i++) v = ((close[i] - close[i - 10]) / close[i - 10]) * 100;
  return v;
}

function bareMACD({ close }) {
  const fastAlpha = 2 / 13;
  const slowAlpha = 2 / 27;
  const signalAlpha = 2 / 10;
  let fast = 0;
  let slow = 0;
  let signal = 0;
  let signalCount = 0;
  let histogram;
  for (let i = 0; i < close.length; i++) {
    const x = close[i];
    if (i >= 12) fast += (x - fast) * fastAlpha;
    else {
      fast += x;
      if (i === 11) fast /= 12;
    }
    if (i >= 26) slow += (x - slow) * slowAlpha;
    else {
      slow += x;
      if (i === 25) slow /= 26;
    }
    if (i >= 25) {
      const macd = fast - slow;
      signalCount++;
      if (signalCount > 9) signal += (macd - signal) * signalAlpha;
      else {
        signal += macd;
        if (signalCount === 9) signal /= 9;
      }
      if (signalCount >= 9) histogram = macd - signal;
    }
  }
  return histogram;
}

/**
 * Rolling population variance by the sliding Welford update on inputs shifted by a recent value,
 * re-centred with a two-pass sum at each wrap of the ring (the library's formula, without its
 * error bound and undo).
 */
function bareVariance(close, onValue) {
  const ring = new Float64Array(PERIOD);
  let next = 0;
  let shift = close[0];
  let sum = 0;
  let m2 = 0;
  let v;
  for (let i = 0; i < close.length; i++) {
    const slot = next;
    next = next + 1 === PERIOD ? 0 : next + 1;
    const x = close[i] - shift;
    if (i >= PERIOD) {
      const old = ring[slot] - shift;
      const oldMean = sum / PERIOD;
      const change = x - old;
      sum += change;
      m2 += change * (x - sum / PERIOD + old - oldMean);
    } else {
      const oldMean = i === 0 ? 0 : sum / i;
      sum += x;
      m2 += (x - oldMean) * (x - sum / (i + 1));
    }
    ring[slot] = close[i];
    if (slot === PERIOD - 1) {
      shift = close[i];
      sum = 0;
      for (let k = 0; k < PERIOD; k++) sum += ring[k] - shift;
      const mean = sum / PERIOD;
      m2 = 0;
      for (let k = 0; k < PERIOD; k++) m2 += (ring[k] - shift - mean) ** 2;
    }
    if (i + 1 >= PERIOD) v = onValue(shift + sum / PERIOD, m2 > 0 ? m2 / PERIOD : 0, close[i]);
  }
  return v;
}
function bareStdDev({ close }) { return bareVariance(close, (_mean, variance) => Math.sqrt(variance)); }
function bareBollinger({ close }) { return bareVariance(close, (mean, variance) => mean + 2 * Math.sqrt(variance)); }
function bareZScore({ close }) { return bareVariance(close, (mean, variance, x) => (variance > 0 ? (x - mean) / Math.sqrt(variance) : 0)); }

function bareATR({ high, low, close }) {
  const period = 14;
  let atr = 0;
  for (let i = 1; i < close.length; i++) {
    const previous = close[i - 1];
    const tr = Math.max(high[i] - low[i], Math.abs(high[i] - previous), Math.abs(low[i] - previous));
    if (i > period) atr += (tr - atr) / period;
    else {
      atr += tr;
      if (i === period) atr /= period;
    }
  }
  return atr;
}

function bareOBV({ close, volume }) {
  let total = 0;
  for (let i = 1; i < close.length; i++) {
    if (close[i] > close[i - 1]) total += volume[i];
    else if (close[i] < close[i - 1]) total -= volume[i];
  }
  return total;
}

function bareRollingVWAP({ high, low, close, volume }) {
  const prices = new Float64Array(PERIOD);
  const volumes = new Float64Array(PERIOD);
  let next = 0;
  let priceVolume = 0;
  let volumeSum = 0;
  let v;
  for (let i = 0; i < close.length; i++) {
    const slot = next;
    next = next + 1 === PERIOD ? 0 : next + 1;
    const pv = ((high[i] + low[i] + close[i]) / 3) * volume[i];
    priceVolume += pv - prices[slot];
    volumeSum += volume[i] - volumes[slot];
    prices[slot] = pv;
    volumes[slot] = volume[i];
    if (i + 1 >= PERIOD) v = priceVolume / volumeSum;
  }
  return v;
}

/** Highest high of the window by a monotonic deque of indices (the library's sliding extreme). */
function bareDonchian({ high }) {
  const deque = new Int32Array(PERIOD + 1);
  let head = 0;
  let size = 0;
  let v;
  const cap = PERIOD + 1;
  for (let i = 0; i < high.length; i++) {
    while (size > 0 && high[deque[(head + size - 1) % cap]] <= high[i]) size--;
    deque[(head + size) % cap] = i;
    size++;
    if (deque[head] <= i - PERIOD) {
      head = (head + 1) % cap;
      size--;
    }
    if (i + 1 >= PERIOD) v = high[deque[head]];
  }
  return v;
}

// ---------------------------------------------------------------- the floor of any stateful EMA
// The least an EMA kept in an object between calls can do: no input check, no undo state, the
// same formula and seeding. It shows how much of the gap to the bare loop no library can close:
// the bare loop keeps the average in a register, an object must store it and load it back on the
// next call, and that round trip through memory sits on the loop's dependency chain (README.md).

class MinimalEMA {
  constructor(period) {
    this.period = period;
    this.alpha = 2 / (period + 1);
    this.count = 0;
    this.seedSum = 0;
    this.current = 0;
  }

  add(input) {
    const count = ++this.count;
    if (count > this.period) {
      const current = this.current;
      return (this.current = current + (input - current) * this.alpha);
    }
    this.seedSum += input;
    if (count < this.period) return undefined;
    return (this.current = this.seedSum / this.period);
  }
}

function minimalObjectEMA({ close }) { const ind = new MinimalEMA(PERIOD); let v; for (let i = 0; i < close.length; i++) v = ind.add(close[i]); return v; }

// ---------------------------------------------------------------- the table

/** [indicator, library loop, bare loop or null (no bare formula written), target or undefined]. */
export const CASES = [
  ['SMA', librarySMA, bareSMA, SIMPLE_TARGET],
  ['EMA', libraryEMA, bareEMA, SIMPLE_TARGET],
  ['EMA-minimal-object', minimalObjectEMA, bareEMA],
  ['RSI', libraryRSI, bareRSI, SIMPLE_TARGET],
  ['WMA', libraryWMA, bareWMA],
  ['ROC', libraryROC, bareROC],
  ['MACD', libraryMACD, bareMACD],
  ['StandardDeviation', libraryStdDev, bareStdDev],
  ['BollingerBands', libraryBollinger, bareBollinger],
  ['ZScore', libraryZScore, bareZScore],
  ['ATR', libraryATR, bareATR],
  ['OBV', libraryOBV, bareOBV],
  ['RollingVWAP', libraryRollingVWAP, bareRollingVWAP],
  ['DonchianChannel', libraryDonchian, bareDonchian],
  ['ADX', libraryADX, null],
  ['Stochastic', libraryStochastic, null],
  ['SessionVWAP', librarySessionVWAP, null],
];

/** The bare loop must compute what the library computes, or the ratio compares different work. */
export function checkSameResult(label, library, bare) {
  const tolerance = 1e-6 * Math.max(1, Math.abs(library));
  if (!(Math.abs(library - bare) <= tolerance)) {
    throw new Error(`indicators: bare ${label} after ${UPDATES} updates: received ${bare}, expected the library's ${library}`);
  }
}
