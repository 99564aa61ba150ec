import { KrakenRestClient } from '@kbot/exchange-kraken';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../exit-codes.js';
import { kbot, simulatedAccount, type SimulatedAccount } from '../operator-test-harness.js';

let account: SimulatedAccount | undefined;
afterEach(async () => {
  await account?.stop();
  account = undefined;
});

/** A simulated account (BTC/USD and ETH/USD listed) with one resting BTC/USD buy far below the market. */
async function withRestingBuy(): Promise<SimulatedAccount> {
  account = await simulatedAccount({ USD: '10000' });
  const rest = new KrakenRestClient({ baseUrl: account.sim.restUrl, credentials: { apiKey: account.key, apiSecret: account.secret } });
  await rest.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'limit', price: '20000.0', volume: '0.01000000', cl_ord_id: 'resting-1' });
  return account;
}

describe('kbot orders --pair', () => {
  it("accepts what kbot data download accepts: BTC/USD, or Kraken's XBTUSD and XXBTZUSD", async () => {
    const sim = await withRestingBuy();
    for (const pair of ['BTC/USD', 'btc/usd', 'XBTUSD', 'XXBTZUSD']) {
      const result = await kbot(sim.dir, 'orders', '--pair', pair, '--json');
      expect(result.code, `${pair}: ${result.stderr}`).toBe(EXIT.ok);
      expect(JSON.parse(result.stdout).orders.map((order: { pair: string }) => order.pair)).toEqual(['BTC/USD']);
    }
    const text = await kbot(sim.dir, 'orders', '--pair', 'XBTUSD');
    expect(text.stdout).toMatch(/open orders at kraken \(.*\) on BTC\/USD/);
  });

  it('a listed pair without orders says so', async () => {
    const sim = await withRestingBuy();
    const result = await kbot(sim.dir, 'orders', '--pair', 'ETH/USD');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/on ETH\/USD\nno open orders/);
  });

  it('a pair the venue does not list is refused, naming the flag and the pair, exit 2', async () => {
    const sim = await withRestingBuy();
    const result = await kbot(sim.dir, 'orders', '--pair', 'SOL/USD');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe('kbot: --pair: received "SOL/USD", expected a pair kraken lists, such as BTC/USD');
    const sameBase = await kbot(sim.dir, 'orders', '--pair', 'BTC/EUR', '--json');
    expect(sameBase.code).toBe(EXIT.usage);
    expect(sameBase.stderr.trim()).toBe('kbot: --pair: received "BTC/EUR", expected a pair kraken lists (BTC/USD)');
  });

  it('a pair that cannot be read is refused before the venue is asked', async () => {
    const sim = await withRestingBuy();
    const result = await kbot(sim.dir, 'orders', '--pair', 'BITCOIN');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr.trim()).toBe('kbot: --pair: received "BITCOIN", expected a pair such as BTC/USD or XBTUSD');
  });
});
