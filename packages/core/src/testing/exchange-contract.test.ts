import { describe, expect, it } from 'vitest';
import type { MarketDrivenVenue } from '../exchange/exchange.js';
import type { Bar, BookView, Quote, Trade } from '../model/market-data.js';
import { runContractCheck } from './contract-check.js';
import { exchangeContractChecks, runExchangeContract, type ExchangeScenario } from './exchange-contract.js';
import { FakeExecutionClient } from './fake-execution-client.js';
import { createFakeExchange, type FakeExchange } from './fake-exchange.js';
import { FakeInstrumentProvider } from './fake-instrument-provider.js';
import { FakeMarketDataClient } from './fake-market-data-client.js';
import { btcUsd } from './instrument-fixtures.js';
import { bars } from './market-data-builders.js';
import { createSimulatedExchange } from './simulated-exchange.js';

// BTC/USD around 42,000; a limit buy at 40,000 rests below the market. 10 BTC of volume per bar
// lets the venue's default 10% participation fill 0.01 BTC at once.
const marketBars = bars([42_000, 42_100, 41_950, 42_300, 42_250], { instrument: 'BTC/USD', interval: '1m', volume: 10 });
const scenario: ExchangeScenario = { instrumentId: 'BTC/USD', quantity: '0.01', price: '40000', bars: marketBars };

runExchangeContract('SimulatedVenue', ({ clock }) => createSimulatedExchange({ clock, balances: { USD: '100000', BTC: '1' } }), scenario);

runExchangeContract<FakeExchange>('FakeExchange (autoRespond)', ({ clock }) => createFakeExchange({ clock, autoRespond: true, balances: { USD: '100000' } }), {
  ...scenario,
  fill: ({ exchange, order }) => {
    exchange.execution.fill(order.clientOrderId, order.quantity, order.price!, { fee: '1.0000', liquidity: 'maker' });
  },
});

/**
 * A venue that cheats: it fills open market orders at the close of whatever bar arrives next,
 * even a bar that started before the order was placed.
 */
class LookAheadVenue extends FakeExecutionClient implements MarketDrivenVenue {
  readonly marketDriven = true as const;
  onBar(bar: Bar): void {
    for (const order of this.openOrders()) this.fill(order.clientOrderId, order.quantity, bar.close, { time: bar.openTime + bar.interval });
  }
  onTrade(_trade: Trade): void {}
  onQuote(_quote: Quote): void {}
  onBook(_book: BookView): void {}
}

describe('the Exchange contract catches broken exchanges', () => {
  const lookAheadExchange = ({ clock }: { clock: FakeExecutionClient['clock'] }) => {
    const instruments = new FakeInstrumentProvider([btcUsd()]);
    return { id: 'look-ahead', instruments, data: new FakeMarketDataClient(), execution: new LookAheadVenue({ clock, autoRespond: true, instruments: (id) => instruments.get(id) }) };
  };

  it('a market-driven venue that fills on the bar the order was placed in', async () => {
    const checks = exchangeContractChecks(lookAheadExchange, scenario);
    await expect(runContractCheck(checks, 'market-driven: an order fills only on data that starts after it was placed')).rejects.toThrow(/look-ahead/);
  });

  it('an exchange that does not list the scenario instrument', async () => {
    const checks = exchangeContractChecks(({ clock }) => createFakeExchange({ clock, autoRespond: true, instruments: [] }), scenario);
    await expect(runContractCheck(checks, 'instruments load, and get() returns the scenario instrument by id')).rejects.toThrow();
  });

  it('a venue that does not check minimums', async () => {
    // An execution client with no instrument lookup accepts whatever it is sent.
    const lax = exchangeContractChecks(({ clock }) => {
      const exchange = createFakeExchange({ clock, autoRespond: true });
      return { ...exchange, execution: new FakeExecutionClient({ clock, autoRespond: true }) };
    }, scenario);
    await expect(runContractCheck(lax, "an order below the instrument's minimum is rejected with a reason")).rejects.toThrow();
  });

  it('a venue that never answers (the contract times out instead of hanging)', async () => {
    const checks = exchangeContractChecks(({ clock }) => createFakeExchange({ clock, autoRespond: false }), { ...scenario, timeoutMs: 50 });
    await expect(runContractCheck(checks, 'a valid order gets exactly one report, accepted with a venue order id')).rejects.toThrow(/waited 50 ms/);
  });

  it('a venue that throws on a cancel of an unknown order', async () => {
    const checks = exchangeContractChecks(({ clock }) => {
      const exchange = createFakeExchange({ clock, autoRespond: true });
      exchange.execution.cancel = () => {
        throw new Error('unknown order');
      };
      return exchange;
    }, scenario);
    await expect(runContractCheck(checks, 'canceling an unknown order reports cancel-rejected instead of throwing')).rejects.toThrow();
  });

  it('a venue that reports fills without Decimal money', async () => {
    const checks = exchangeContractChecks<FakeExchange>(({ clock }) => createFakeExchange({ clock, autoRespond: true }), {
      ...scenario,
      fill: ({ exchange, order }) => {
        exchange.execution.sink.onFilled({
          tradeId: 'T1' as never, clientOrderId: order.clientOrderId, venueOrderId: undefined, instrumentId: order.instrumentId, side: 'buy',
          quantity: 0.01 as never, price: 40000 as never, fee: 0 as never, feeAsset: 'USD', liquidity: 'maker', time: 0,
        });
      },
    });
    await expect(runContractCheck(checks, 'fills carry a trade id, Decimal quantity, price and fee, and never overfill')).rejects.toThrow(/Decimal/);
  });
});
