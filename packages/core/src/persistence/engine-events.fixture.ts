import { runBacktest } from '../backtest/run-backtest.js';
import { validateConfig } from '../config/schema.js';
import { generateBars } from '../data/generate-bars.js';
import { createBot } from '../di/container.js';
import type { JournaledEvent } from '../model/events.js';
import { instrumentId } from '../model/ids.js';
import type { Bar, Subscription } from '../model/market-data.js';
import { BaseStrategy, type StrategyContext } from '../strategy/strategy.js';
import { InMemoryStore } from './store.js';

// The journal the engine writes in a short backtest with every hot event type: for the tests of
// the journal's payloads and of the writer thread.

const BTC = instrumentId('BTC/USD');

/** Buys with features on every 40th bar, a limit below the market on the 10th after, sells on the 20th: every hot event type. */
class Churn extends BaseStrategy<Record<string, never>> {
  private seen = 0;
  subscriptions(): Subscription[] {
    return [{ instrumentId: BTC, kind: 'bars', interval: 60_000 }];
  }
  onBar(bar: Bar, ctx: StrategyContext<Record<string, never>>): void {
    this.seen++;
    const step = this.seen % 40;
    if (step === 1) ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.01', tag: 'entry', features: { rsi: 28.5, spread: 0.1 + this.seen / 7 } });
    if (step === 10) ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'limit', quantity: '0.005', price: String(Math.floor(bar.close * 0.5)), timeInForce: 'gtd', expireAt: bar.openTime + 5 * 60_000 });
    if (step === 21) ctx.orders.submit({ instrumentId: BTC, side: 'sell', type: 'market', quantity: '0.01' });
  }
}

/** The journaled events of a 2,000-bar backtest of Churn. */
export async function engineEvents(): Promise<readonly JournaledEvent[]> {
  const config = validateConfig({ strategies: [Churn.with({}, { id: 'churn' })], backtest: { balances: { USD: '100000' } } });
  const source = generateBars({ instrumentId: 'BTC/USD', interval: '1m', count: 2_000, seed: 11, startPrice: 30_000 });
  const store = new InMemoryStore();
  await runBacktest({ bot: createBot(config), data: { bars: source, summaries: () => [source.summary()] }, kbotVersion: 'test', store });
  return store.load().events;
}

