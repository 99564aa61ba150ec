import { instrumentId } from '../model/ids.js';
import type { Bar, Subscription } from '../model/market-data.js';
import { BaseStrategy, type StrategyContext } from '../strategy/strategy.js';

// Test fixture (not exported): the smallest strategy that trades a round trip in a session.

const BTC = instrumentId('BTC/USD');
const MINUTE = 60_000;

/** Buys 0.01 BTC/USD on its 2nd one-minute bar and sells the position on its 4th: two fills. */
export class BuyThenSell extends BaseStrategy<Record<string, never>> {
  private seen = 0;
  subscriptions(): Subscription[] {
    return [{ instrumentId: BTC, kind: 'bars', interval: MINUTE }];
  }
  onBar(_bar: Bar, ctx: StrategyContext<Record<string, never>>): void {
    this.seen++;
    if (this.seen === 2) ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.01' });
    const position = ctx.portfolio.position(BTC);
    if (this.seen === 4 && position) ctx.orders.submit({ instrumentId: BTC, side: 'sell', type: 'market', quantity: position.quantity });
  }
}
