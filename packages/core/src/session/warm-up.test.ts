import { describe, expect, it } from 'vitest';
import { ExchangeError } from '../errors/errors.js';
import { instrumentId } from '../model/ids.js';
import type { Bar, Subscription } from '../model/market-data.js';
import { FakeMarketDataClient } from '../testing/fake-market-data-client.js';
import { bars } from '../testing/market-data-builders.js';
import { fetchWarmUpHistory } from './warm-up.js';

const BTC = instrumentId('BTC/USD');
const MINUTE = 60_000;
const subscriptions: Subscription[] = [{ instrumentId: BTC, kind: 'bars', interval: MINUTE, warmUpBars: 2 }];
const history = bars([100, 101, 102], { instrument: 'BTC/USD', interval: '1m', start: Date.UTC(2024, 0, 1), volume: 1 });

/** A venue whose history request fails with the given errors first, then answers. */
function failingFirst(...errors: Error[]) {
  let calls = 0;
  const client = new FakeMarketDataClient({
    history: async (_id, _interval, count): Promise<readonly Bar[]> => {
      const error = errors[calls++];
      if (error !== undefined) throw error;
      return history.slice(-count);
    },
  });
  return { client, calls: () => calls };
}

describe('fetchWarmUpHistory', () => {
  it('tries once more after a failure the venue says may pass, after the delay it asks for', async () => {
    const { client, calls } = failingFirst(new ExchangeError('unavailable', 'EService:Unavailable', { retryable: true, retryAfterMs: 1500 }));
    const delays: number[] = [];
    const outcome = await fetchWarmUpHistory(client, subscriptions, async (ms) => {
      delays.push(ms);
    });
    expect(calls()).toBe(2);
    expect(delays).toEqual([1500]);
    expect(outcome.bars.map((bar) => bar.close)).toEqual([101, 102]);
    expect(outcome.series[0]).toMatchObject({ wanted: 2, received: 2, error: undefined });
  });

  it('does not retry a failure that will not pass, nor a second retryable one', async () => {
    const refused = failingFirst(new ExchangeError('unknown', 'EQuery:Unknown asset pair'));
    const first = await fetchWarmUpHistory(refused.client, subscriptions, async () => {});
    expect(refused.calls()).toBe(1);
    expect(first.series[0]).toMatchObject({ received: 0, error: 'EQuery:Unknown asset pair' });

    const busy = () => new ExchangeError('unavailable', 'EService:Busy', { retryable: true });
    const twice = failingFirst(busy(), busy());
    const delays: number[] = [];
    const second = await fetchWarmUpHistory(twice.client, subscriptions, async (ms) => {
      delays.push(ms);
    });
    expect(twice.calls()).toBe(2);
    expect(delays).toEqual([2_000]);
    expect(second.series[0]).toMatchObject({ received: 0, error: 'EService:Busy' });
  });
});
