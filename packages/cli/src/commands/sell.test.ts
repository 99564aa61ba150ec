import { KrakenRestClient } from '@kbot/exchange-kraken';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../exit-codes.js';
import { kbot, simulatedAccount, type SimulatedAccount } from '../operator-test-harness.js';

let account: SimulatedAccount | undefined;
afterEach(async () => {
  await account?.stop();
  account = undefined;
});

/** An account whose 0.1 BTC is all held by a resting limit sell far above the market. */
async function allBtcHeld(): Promise<SimulatedAccount> {
  account = await simulatedAccount({ USD: '100', BTC: '0.1' });
  const rest = new KrakenRestClient({ baseUrl: account.sim.restUrl, credentials: { apiKey: account.key, apiSecret: account.secret } });
  await rest.addOrder({ pair: 'XBTUSD', type: 'sell', ordertype: 'limit', price: '90000.0', volume: '0.10000000' });
  return account;
}

describe('kbot sell when open orders hold the balance', () => {
  it('--all says how much open orders hold, as --amount does; nothing is sent', async () => {
    const sim = await allBtcHeld();
    const all = await kbot(sim.dir, 'sell', 'BTC/USD', '--all', '--yes');
    expect(all.code).toBe(EXIT.exchange);
    expect(all.stderr.trim()).toBe('kbot: sell BTC/USD: there is no BTC to sell (0.1 more is held by open orders); nothing was sent');
    const amount = await kbot(sim.dir, 'sell', 'BTC/USD', '--amount', '0.05', '--yes');
    expect(amount.code).toBe(EXIT.exchange);
    expect(amount.stderr.trim()).toBe('kbot: sell BTC/USD: 0.05 BTC asked, but only 0 BTC is available (0.1 more is held by open orders)');
    // Only the resting order: no sale was sent.
    expect(sim.sim.account(sim.key).orders()).toHaveLength(1);
  });

  it('--all with nothing held says only that there is nothing to sell', async () => {
    account = await simulatedAccount({ USD: '100' });
    const result = await kbot(account.dir, 'sell', 'BTC/USD', '--all', '--yes');
    expect(result.code).toBe(EXIT.exchange);
    expect(result.stderr.trim()).toBe('kbot: sell BTC/USD: there is no BTC to sell; nothing was sent');
  });
});
