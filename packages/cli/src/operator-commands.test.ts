import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KrakenRestClient, nonceFileName } from '@kbot/exchange-kraken';
import { afterEach, describe, expect, it } from 'vitest';
import { clockSkewItem } from './commands/check.js';
import { EXIT } from './exit-codes.js';
import { kbot, KEY_VARIABLE, simulatedAccount, type SimulatedAccount } from './operator-test-harness.js';

const BALANCES = { USD: '10000', BTC: '0.5', ETH: '0.001', DOT: '3' };

let account: SimulatedAccount | undefined;
afterEach(async () => {
  await account?.stop();
  account = undefined;
});

async function open(balances: Record<string, string> = BALANCES, options: Parameters<typeof simulatedAccount>[1] = {}): Promise<SimulatedAccount> {
  account = await simulatedAccount(balances, options);
  return account;
}

function restOf(sim: SimulatedAccount): KrakenRestClient {
  return new KrakenRestClient({ baseUrl: sim.sim.restUrl, credentials: { apiKey: sim.key, apiSecret: sim.secret } });
}

/** A resting limit buy far below the market, placed the way another tool (or the bot) would. */
async function restingBuy(sim: SimulatedAccount): Promise<string> {
  const placed = await restOf(sim).addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'limit', price: '20000.0', volume: '0.01000000', cl_ord_id: 'resting-1' });
  return placed.txid![0]!;
}

function balanceOf(sim: SimulatedAccount, asset: string): string | undefined {
  return sim.sim.account(sim.key).balances().find((balance) => balance.asset === asset)?.total.toFixed();
}

/** The operator entries of the project's audit trail (`<storage.dir>/audit.log`). */
function auditEntries(sim: SimulatedAccount): Record<string, unknown>[] {
  return readFileSync(join(sim.dir, 'trading_data', 'audit.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('kbot balance', () => {
  it('--json lists every non-zero balance as decimal strings, available net of open orders', async () => {
    const sim = await open();
    await restingBuy(sim);
    const result = await kbot(sim.dir, 'balance', '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT.ok);
    const json = JSON.parse(result.stdout);
    expect(json.exchange).toBe('kraken');
    expect(json.endpoint).toBe(sim.sim.restUrl);
    const byAsset = Object.fromEntries(json.balances.map((entry: { asset: string }) => [entry.asset, entry]));
    expect(byAsset.BTC).toEqual({ asset: 'BTC', total: '0.5', available: '0.5' });
    expect(byAsset.DOT).toEqual({ asset: 'DOT', total: '3', available: '3' });
    // 0.01 BTC at 20000 holds 200 USD (fees on top are held too, so available is at most 9800).
    expect(Number(byAsset.USD.total)).toBe(10000);
    expect(Number(byAsset.USD.available)).toBeLessThanOrEqual(9800);
    // The key's nonce high-water mark is kept in the storage folder, so a restart never goes below it.
    const nonce = Number(readFileSync(join(sim.dir, 'trading_data', nonceFileName(sim.key)), 'utf8').trim());
    expect(nonce).toBeGreaterThan(Date.now() * 1000 - 60_000_000);
  });

  it('prints a table for people', async () => {
    const sim = await open();
    const result = await kbot(sim.dir, 'balance');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/balances at kraken/);
    expect(result.stdout).toMatch(/│ BTC\s+│ 0\.5\s+│ 0\.5\s+│ 0\s+│/);
  });

  it('without an API key is one line naming the variables, exit 2, and never shows a secret', async () => {
    const sim = await open(BALANCES, { withKey: false });
    const result = await kbot(sim.dir, 'balance');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain(`${KEY_VARIABLE} / KBOT_OPERATOR_TEST_SECRET: received not set`);
    expect(result.stdout).toBe('');
  });
});

describe('kbot orders and kbot cancel-all', () => {
  it('orders --json shows the open order with its pair, price and quantity; cancel-all cancels it', async () => {
    const sim = await open();
    const txid = await restingBuy(sim);
    const listed = await kbot(sim.dir, 'orders', '--json');
    expect(listed.code).toBe(EXIT.ok);
    const { orders } = JSON.parse(listed.stdout);
    expect(orders).toEqual([
      expect.objectContaining({ id: txid, clientOrderId: 'resting-1', pair: 'BTC/USD', side: 'buy', type: 'limit', price: '20000', quantity: '0.01', filled: '0', status: 'open' }),
    ]);
    const onEth = JSON.parse((await kbot(sim.dir, 'orders', '--json', '--pair', 'eth/usd')).stdout);
    expect(onEth.orders).toEqual([]);

    const canceled = await kbot(sim.dir, 'cancel-all', '--json');
    expect(canceled.code).toBe(EXIT.ok);
    expect(JSON.parse(canceled.stdout)).toMatchObject({ canceled: 1 });
    expect(sim.sim.account(sim.key).openOrders()).toHaveLength(0);
    expect((await kbot(sim.dir, 'orders')).stdout).toMatch(/no open orders/);
  });

  it('a malformed --pair is a usage error naming the flag', async () => {
    const sim = await open();
    const result = await kbot(sim.dir, 'orders', '--pair', 'BTC-USD');
    expect(result.code).toBe(EXIT.usage);
    expect(oneLine(result.stderr)).toMatch(/--pair: received "BTC-USD", expected a pair such as BTC\/USD or XBTUSD/);
  });
});

describe('kbot positions', () => {
  it('derives spot positions from balances, valued at the last price, and says so', async () => {
    const sim = await open();
    const result = await kbot(sim.dir, 'positions', '--json');
    expect(result.code).toBe(EXIT.ok);
    const json = JSON.parse(result.stdout);
    expect(json.source).toMatch(/derived from balances/);
    expect(json.quote).toBe('USD'); // the quote of the config's pair, BTC/USD
    const btc = json.positions.find((position: { asset: string }) => position.asset === 'BTC');
    expect(btc).toMatchObject({ pair: 'BTC/USD', quantity: '0.5' });
    expect(Number(btc.value)).toBeCloseTo(0.5 * Number(btc.price), 6);
    expect(json.positions.map((position: { asset: string }) => position.asset).sort()).toEqual(['BTC', 'ETH']);
    expect(json.unpriced).toEqual([{ asset: 'DOT', quantity: '3', reason: 'no DOT/USD price at the venue' }]);
    expect(json.quoteBalance).toBe('10000');
    const total = 10000 + json.positions.reduce((sum: number, position: { value: string }) => sum + Number(position.value), 0);
    expect(Number(json.totalValue)).toBeCloseTo(total, 6);
  });
});

describe('kbot sell', () => {
  it('sells an amount at market with --yes and reports the order', async () => {
    const sim = await open();
    const result = await kbot(sim.dir, 'sell', 'BTC/USD', '--amount', '0.1', '--yes', '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT.ok);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ pair: 'BTC/USD', side: 'sell', requested: '0.1', quantity: '0.1', rounded: false });
    expect(json.order.id).toMatch(/^O/);
    expect(json.order.status).toBe('closed');
    expect(json.order.filled).toBe('0.1');
    expect(balanceOf(sim, 'BTC')).toBe('0.4');
    expect(Number(balanceOf(sim, 'USD'))).toBeGreaterThan(10000);
    expect(auditEntries(sim)).toEqual([
      expect.objectContaining({ action: 'operator-command', command: 'sell', outcome: 'ok', args: expect.objectContaining({ pair: 'BTC/USD', amount: '0.1', quantity: '0.1', orderId: json.order.id }) }),
    ]);
  });

  it('rounds the amount down to the lot size', async () => {
    const sim = await open();
    const result = await kbot(sim.dir, 'sell', 'BTC/USD', '--amount', '0.123456789', '--yes', '--json');
    expect(result.code).toBe(EXIT.ok);
    expect(JSON.parse(result.stdout)).toMatchObject({ requested: '0.123456789', quantity: '0.12345678', rounded: true });
  });

  it('--all sells the whole available balance', async () => {
    const sim = await open();
    const result = await kbot(sim.dir, 'sell', 'BTC/USD', '--all', '--yes');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/market sell of 0\.5 BTC on BTC\/USD sent/);
    expect(balanceOf(sim, 'BTC')).toBe('0');
  });

  it('without --yes and without a terminal, sends nothing and says how to confirm', async () => {
    const sim = await open();
    const result = await kbot(sim.dir, 'sell', 'BTC/USD', '--amount', '0.1');
    expect(result.code).toBe(EXIT.usage);
    expect(oneLine(result.stderr)).toMatch(/sell 0\.1 BTC on BTC\/USD at market .*add --yes to confirm; nothing was sent/);
    expect(balanceOf(sim, 'BTC')).toBe('0.5');
    expect(sim.sim.account(sim.key).orders()).toHaveLength(0);
    expect(auditEntries(sim)).toEqual([expect.objectContaining({ command: 'sell', outcome: 'refused', detail: expect.stringMatching(/add --yes/) })]);
  });

  it('more than the balance is one line about insufficient funds, exit 4', async () => {
    const sim = await open();
    const result = await kbot(sim.dir, 'sell', 'BTC/USD', '--amount', '5', '--yes');
    expect(result.code).toBe(EXIT.exchange);
    expect(oneLine(result.stderr)).toBe('kbot: sell BTC/USD: 5 BTC asked, but only 0.5 BTC is available');
  });

  it("below the pair's minimum is one line naming the minimum, and nothing is sent", async () => {
    const sim = await open();
    const result = await kbot(sim.dir, 'sell', 'ETH/USD', '--all', '--yes');
    expect(result.code).toBe(EXIT.exchange);
    expect(oneLine(result.stderr)).toBe('kbot: sell ETH/USD: 0.001 ETH is below the minimum order on ETH/USD (0.002 ETH); nothing was sent');
    expect(sim.sim.account(sim.key).orders()).toHaveLength(0);
  });

  it('a pair the venue does not list is one clear line', async () => {
    const sim = await open();
    const result = await kbot(sim.dir, 'sell', 'DOT/USD', '--all', '--yes');
    expect(result.code).toBe(EXIT.usage);
    expect(oneLine(result.stderr)).toMatch(/pair: received "DOT\/USD", expected a pair kraken lists, such as BTC\/USD/);
  });

  it('checks its flags before it talks to the venue', async () => {
    const sim = await open();
    expect(oneLine((await kbot(sim.dir, 'sell', 'BTCUSD', '--all')).stderr)).toMatch(/pair: received "BTCUSD", expected a pair written BASE\/QUOTE/);
    expect(oneLine((await kbot(sim.dir, 'sell', 'BTC/USD')).stderr)).toMatch(/received neither --amount nor --all, expected one of them/);
    expect(oneLine((await kbot(sim.dir, 'sell', 'BTC/USD', '--all', '--amount', '1')).stderr)).toMatch(/received both --amount and --all/);
    const negative = await kbot(sim.dir, 'sell', 'BTC/USD', '--amount', '-1');
    expect(negative.code).toBe(EXIT.usage);
    expect(oneLine(negative.stderr)).toMatch(/--amount: received "-1", expected an amount greater than 0/);
  });
});

describe('kbot panic', () => {
  it('cancels every open order and leaves positions alone without --flatten', async () => {
    const sim = await open();
    await restingBuy(sim);
    await restingBuy(sim).catch(() => undefined); // same cl_ord_id: refused, one order stays
    const result = await kbot(sim.dir, 'panic', '--json');
    expect(result.code).toBe(EXIT.ok);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ halt: 'no-bot', canceled: 1, flatten: false, sold: [], unsold: [], errors: [] });
    expect(sim.sim.account(sim.key).openOrders()).toHaveLength(0);
    expect(balanceOf(sim, 'BTC')).toBe('0.5');
  });

  it('--flatten --yes sells what it can into the quote and lists what it could not, with the reason', async () => {
    const sim = await open();
    await restingBuy(sim);
    const result = await kbot(sim.dir, 'panic', '--flatten', '--yes', '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT.ok);
    const json = JSON.parse(result.stdout);
    expect(json.canceled).toBe(1);
    expect(json.quote).toBe('USD');
    expect(json.sold).toEqual([expect.objectContaining({ asset: 'BTC', pair: 'BTC/USD', quantity: '0.5', order: expect.objectContaining({ status: 'closed', filled: '0.5' }) })]);
    expect(json.unsold).toEqual([
      { asset: 'DOT', quantity: '3', reason: 'the venue has no DOT/USD pair to sell it on' },
      { asset: 'ETH', quantity: '0.001', reason: '0.001 ETH is below the minimum order on ETH/USD (0.002 ETH)' },
    ]);
    expect(json.errors).toEqual([]);
    expect(balanceOf(sim, 'BTC')).toBe('0');
    expect(balanceOf(sim, 'ETH')).toBe('0.001');
  });

  it('prints what it did for people', async () => {
    const sim = await open();
    const result = await kbot(sim.dir, 'panic', '--flatten', '--yes', '--keep', 'eth');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/^PANIC on kraken/);
    expect(result.stdout).toMatch(/halt: no bot of this config is running/);
    expect(result.stdout).toMatch(/canceled 0 open orders/);
    expect(result.stdout).toMatch(/sold 0\.5 BTC on BTC\/USD: order O/);
    expect(result.stdout).toMatch(/not sold: 3 DOT: the venue has no DOT\/USD pair/);
    expect(result.stdout).not.toMatch(/ETH/);
    expect(result.stdout).toMatch(/done$/m);
  });

  it('--flatten without --yes does nothing at all when it cannot ask', async () => {
    const sim = await open();
    await restingBuy(sim);
    const result = await kbot(sim.dir, 'panic', '--flatten');
    expect(result.code).toBe(EXIT.usage);
    expect(oneLine(result.stderr)).toMatch(/panic --flatten would cancel every open order and sell everything but USD into USD .*add --yes to confirm; nothing was done/);
    expect(sim.sim.account(sim.key).openOrders()).toHaveLength(1);
  });

  it('a failed cancel is reported and the rest is still done; exit 4', async () => {
    const sim = await open();
    // A key without the Cancel/Close Orders permission.
    sim.sim.rejectNext('CancelAll', 'EGeneral:Permission denied');
    const result = await kbot(sim.dir, 'panic', '--flatten', '--yes', '--json');
    expect(result.code).toBe(EXIT.exchange);
    const json = JSON.parse(result.stdout);
    expect(json.canceled).toBeNull();
    expect(json.errors).toEqual([expect.stringMatching(/^cancel all orders: .*EGeneral:Permission denied/)]);
    expect(json.sold.map((sale: { asset: string }) => sale.asset)).toEqual(['BTC']);
    expect(auditEntries(sim)).toEqual([expect.objectContaining({ command: 'panic', outcome: 'failed', args: expect.objectContaining({ flatten: true, canceled: null }) })]);
  });
});

describe('kbot check', () => {
  it('reports connectivity, clock, pairs, the key and each permission, and the rate-limit tier', async () => {
    const sim = await open();
    const result = await kbot(sim.dir, 'check', '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT.ok);
    const outcome = JSON.parse(result.stdout);
    const item = (name: string) => outcome.items.find((entry: { name: string }) => entry.name === name);
    expect(outcome).toMatchObject({ ok: true, exchange: 'kraken', endpoint: sim.sim.restUrl, mode: 'paper' });
    expect(item('config')).toMatchObject({ status: 'ok', data: { pairs: ['BTC/USD'] } });
    expect(item('connectivity')).toMatchObject({ status: 'ok', data: { systemStatus: 'online' } });
    // The frozen simulator's clock stands in January 2024: far from this computer's.
    expect(item('clock').status).toBe('warn');
    expect(item('clock').data.skewMs).toBeLessThan(-86_400_000);
    expect(item('pairs')).toMatchObject({ status: 'ok', data: { listed: 2, missing: [] } });
    expect(item('API key').status).toBe('ok');
    for (const permission of ['Query Funds', 'Query Open Orders & Trades', 'Query Closed Orders & Trades', 'Create & Modify Orders', 'Cancel/Close Orders', 'Access WebSockets API']) {
      expect(item(`permission: ${permission}`)).toMatchObject({ status: 'ok', data: { state: 'granted' } });
    }
    expect(item('permission: Withdraw Funds')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/cannot be checked without calling a funding endpoint/) });
    expect(item('rate limits')).toMatchObject({ status: 'ok', data: { tier: 'intermediate', restCounterMax: 20, tradingThreshold: 125 } });
    // The validate-only order was checked, never placed.
    expect(sim.sim.account(sim.key).orders()).toHaveLength(0);
    expect(balanceOf(sim, 'USD')).toBe('10000');
  });

  it('a permission Kraken denies fails the check, exit 4', async () => {
    const sim = await open();
    sim.sim.rejectNext('OpenOrders', 'EGeneral:Permission denied');
    const result = await kbot(sim.dir, 'check', '--json');
    expect(result.code).toBe(EXIT.exchange);
    const outcome = JSON.parse(result.stdout);
    expect(outcome.ok).toBe(false);
    expect(outcome.items.find((entry: { name: string }) => entry.name === 'permission: Query Open Orders & Trades')).toMatchObject({ status: 'fail', data: { state: 'denied' } });
    expect(outcome.items.find((entry: { name: string }) => entry.name === 'permission: Query Funds')).toMatchObject({ status: 'ok' });
  });

  it('a key Kraken refuses stops the probes after the first call', async () => {
    const sim = await open();
    sim.sim.rejectNext('Balance', 'EAPI:Invalid key');
    const result = await kbot(sim.dir, 'check');
    expect(result.code).toBe(EXIT.exchange);
    expect(result.stdout).toMatch(/FAIL {2}API key\s+the venue refused the key in KBOT_OPERATOR_TEST_KEY: EAPI:Invalid key/);
    expect(result.stdout).not.toMatch(/permission:/);
  });

  it('without a key, paper mode is a warning and permissions are skipped', async () => {
    const sim = await open(BALANCES, { withKey: false });
    const result = await kbot(sim.dir, 'check');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/WARN {2}API key\s+KBOT_OPERATOR_TEST_KEY \/ KBOT_OPERATOR_TEST_SECRET are not set/);
    expect(result.stdout).toMatch(/SKIP {2}key permissions/);
    expect(result.stdout).toMatch(/\d+ ok, 2 warnings, 0 failed, 1 skipped/);
  });

  it('a pair the config trades but the venue does not list fails', async () => {
    const sim = await open();
    const { writeFileSync, readFileSync } = await import('node:fs');
    const file = `${sim.dir}/kbot.config.mjs`;
    writeFileSync(file, readFileSync(file, 'utf8').replace("pair: 'BTC/USD'", "pair: 'SOL/USD'"));
    const result = await kbot(sim.dir, 'check', '--json');
    expect(result.code).toBe(EXIT.exchange);
    const pairs = JSON.parse(result.stdout).items.find((entry: { name: string }) => entry.name === 'pairs');
    expect(pairs).toMatchObject({ status: 'fail', detail: 'the venue does not list SOL/USD (the config trades it)' });
  });
});

describe('clockSkewItem', () => {
  it('takes the middle of the venue second against the middle of the round trip', () => {
    // Venue second 1000 → 1000.5 s; round trip 1000.2 s .. 1000.4 s → middle 1000.3 s: the local clock is 200 ms behind.
    expect(clockSkewItem(1000, 1_000_200, 1_000_400)).toMatchObject({ status: 'ok', data: { skewMs: 200 } });
    expect(clockSkewItem(1000, 1_003_000, 1_003_000)).toMatchObject({ status: 'warn', data: { skewMs: -2500 } });
    expect(clockSkewItem(1000, 1_003_000, 1_003_000).detail).toMatch(/2500 ms ahead of the venue's.*synchronise the clock/);
  });
});
