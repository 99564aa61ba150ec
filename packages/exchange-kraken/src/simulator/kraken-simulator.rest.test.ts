import { afterEach, describe, expect, it } from 'vitest';
import { ExchangeError } from '@kbot/core';
import { parseAssetPairs } from '../parse/asset-pairs.js';
import { KrakenRestClient } from '../rest/rest-client.js';
import type { KrakenSimulator } from './kraken-simulator.js';
import { KEY, MINUTE, OTHER_KEY, OTHER_SECRET, SPEC_SECRET, START, flat, publicGet, scriptedBars, signedPost, startTestSimulator } from './simulator-test-fixtures.js';

let sim: KrakenSimulator | undefined;

async function open(overrides: Parameters<typeof startTestSimulator>[0] = {}): Promise<KrakenSimulator> {
  sim = await startTestSimulator(overrides);
  return sim;
}

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const client = (simulator: KrakenSimulator, key = KEY, secret = SPEC_SECRET) =>
  new KrakenRestClient({ baseUrl: simulator.restUrl, credentials: { apiKey: key, apiSecret: secret }, maxAttempts: 1 });

describe('Kraken simulator REST: public endpoints', () => {
  it('answers Time and SystemStatus in market time', async () => {
    const simulator = await open();
    // 10 history bars of one minute replayed: the clock stands at their end.
    expect(simulator.now()).toBe(START + 10 * MINUTE);
    const time = await publicGet(simulator, 'Time');
    expect(time.status).toBe(200);
    expect(time.body).toEqual({ error: [], result: { unixtime: (START + 10 * MINUTE) / 1000, rfc1123: 'Mon, 01 Jan 24 00:10:00 +0000' } });
    expect((await publicGet(simulator, 'SystemStatus')).body.result).toEqual({ status: 'online', timestamp: '2024-01-01T00:10:00Z' });
  });

  it('lists AssetPairs in Kraken format, found by any of the pair names', async () => {
    const simulator = await open();
    for (const name of ['XBTUSD', 'XXBTZUSD', 'XBT/USD', 'BTC/USD']) {
      const { body } = await publicGet(simulator, 'AssetPairs', { pair: name });
      expect(Object.keys(body.result)).toEqual(['XXBTZUSD']);
    }
    const { body } = await publicGet(simulator, 'AssetPairs');
    expect(body.result.XXBTZUSD).toEqual({
      altname: 'XBTUSD',
      wsname: 'XBT/USD',
      aclass_base: 'currency',
      base: 'XXBT',
      aclass_quote: 'currency',
      quote: 'ZUSD',
      lot: 'unit',
      cost_decimals: 5,
      pair_decimals: 1,
      lot_decimals: 8,
      lot_multiplier: 1,
      leverage_buy: [],
      leverage_sell: [],
      fees: [[0, 0.4], [10000, 0.35], [50000, 0.24], [100000, 0.22], [250000, 0.2], [500000, 0.18], [1000000, 0.16], [2500000, 0.14], [5000000, 0.12], [10000000, 0.1]],
      fees_maker: [[0, 0.25], [10000, 0.2], [50000, 0.14], [100000, 0.12], [250000, 0.1], [500000, 0.08], [1000000, 0.06], [2500000, 0.04], [5000000, 0.02], [10000000, 0]],
      fee_volume_currency: 'ZUSD',
      margin_call: 80,
      margin_stop: 40,
      ordermin: '0.0001',
      costmin: '0.5',
      tick_size: '0.1',
      status: 'online',
    });
    expect((await publicGet(simulator, 'AssetPairs', { pair: 'DOGEUSD' })).body).toEqual({ error: ['EQuery:Unknown asset pair'] });
    expect((await publicGet(simulator, 'AssetPairs', { pair: 'XBTUSD', info: 'fees' })).body.result.XXBTZUSD).toHaveProperty('fees_maker');
  });

  it('round-trips through the adapter: AssetPairs parses back into the instruments it came from', async () => {
    const simulator = await open();
    const instruments = parseAssetPairs((await publicGet(simulator, 'AssetPairs')).body.result);
    expect(instruments).toHaveLength(1);
    const btc = instruments[0]!;
    expect(btc.id).toBe('BTC/USD');
    expect(btc.venueSymbol).toBe('XBTUSD');
    expect(btc.priceIncrement.toFixed()).toBe('0.1');
    expect(btc.minQuantity.toFixed()).toBe('0.0001');
    expect(btc.minCost.toFixed()).toBe('0.5');
    expect(btc.makerFee.toFixed()).toBe('0.0025');
    expect(btc.takerFee.toFixed()).toBe('0.004');
  });

  it('lists Assets keyed by Kraken code with altnames', async () => {
    const simulator = await open();
    const { body } = await publicGet(simulator, 'Assets');
    expect(body.result).toEqual({
      XXBT: { aclass: 'currency', altname: 'XBT', decimals: 10, display_decimals: 5, collateral_value: 0, status: 'enabled' },
      ZUSD: { aclass: 'currency', altname: 'USD', decimals: 4, display_decimals: 2, collateral_value: 0, status: 'enabled' },
    });
    expect(Object.keys((await publicGet(simulator, 'Assets', { asset: 'XBT' })).body.result)).toEqual(['XXBT']);
    expect((await publicGet(simulator, 'Assets', { asset: 'NOPE' })).body.error).toEqual(['EQuery:Unknown asset']);
  });

  it('serves OHLC candles equal to the replayed bars, the forming candle last, and the last cursor', async () => {
    const simulator = await open();
    simulator.advance(30_000); // half way into bar 11 (the drop to 39,000)
    const { body } = await publicGet(simulator, 'OHLC', { pair: 'XBTUSD', interval: 1 });
    const rows = body.result.XXBTZUSD as unknown[][];
    expect(rows).toHaveLength(11);
    expect(rows[0]).toEqual([START / 1000, '40000.0', '40001.0', '39999.0', '40000.0', '40000.0', '5.00000000', 8]);
    // The forming candle: open and the first extreme (a falling bar goes high first) so far.
    expect(rows[10]!.slice(0, 5)).toEqual([(START + 10 * MINUTE) / 1000, '40000.0', '40010.0', '40000.0', '40010.0']);
    expect(body.result.last).toBe((START + 9 * MINUTE) / 1000);
    const since = await publicGet(simulator, 'OHLC', { pair: 'XBTUSD', since: body.result.last });
    expect((since.body.result.XXBTZUSD as unknown[][]).map((row) => row[0])).toEqual([(START + 9 * MINUTE) / 1000, (START + 10 * MINUTE) / 1000]);
    simulator.step();
    const complete = (await publicGet(simulator, 'OHLC', { pair: 'XBTUSD' })).body.result.XXBTZUSD as unknown[][];
    expect(complete[10]!.slice(1, 8)).toEqual(['40000.0', '40010.0', '38900.0', '39000.0', expect.any(String), '5.00000000', 8]);
    const fiveMinutes = (await publicGet(simulator, 'OHLC', { pair: 'XBTUSD', interval: 5 })).body.result.XXBTZUSD as unknown[][];
    expect(fiveMinutes[0]!.slice(0, 7)).toEqual([START / 1000, '40000.0', '40001.0', '39999.0', '40000.0', '40000.0', '25.00000000']);
    expect((await publicGet(simulator, 'OHLC', { pair: 'XBTUSD', interval: 7 })).body.error).toEqual(['EGeneral:Invalid arguments:interval']);
  });

  it('serves a consistent book, ticker and trade tape with a working Trades cursor', async () => {
    const simulator = await open();
    const depth = (await publicGet(simulator, 'Depth', { pair: 'XBTUSD', count: 5 })).body.result.XXBTZUSD;
    expect(depth.asks).toHaveLength(5);
    expect(depth.asks[0][0]).toBe('40000.1');
    expect(depth.bids[0][0]).toBe('40000.0');
    const asks = depth.asks.map((level: string[]) => Number(level[0]));
    const bids = depth.bids.map((level: string[]) => Number(level[0]));
    expect(asks).toEqual([...asks].sort((a, b) => a - b));
    expect(bids).toEqual([...bids].sort((a, b) => b - a));
    for (const level of [...depth.asks, ...depth.bids]) expect(level[1]).toMatch(/^\d+\.\d{8}$/);

    const ticker = (await publicGet(simulator, 'Ticker', { pair: 'XBTUSD' })).body.result.XXBTZUSD;
    expect(ticker.a[0]).toBe('40000.1');
    expect(ticker.b[0]).toBe('40000.0');
    expect(ticker.c).toEqual(['40000.0', '1.25000000']);
    expect(ticker.v[1]).toBe('50.00000000');
    expect(ticker.t).toEqual([80, 80]);

    const first = (await publicGet(simulator, 'Trades', { pair: 'XBTUSD', count: 2 })).body.result;
    expect(first.XXBTZUSD).toHaveLength(2);
    expect(first.XXBTZUSD[1]).toEqual(['40000.0', '1.25000000', (START + 10 * MINUTE - 1) / 1000, 's', 'm', '', 40]);
    simulator.step();
    const next = (await publicGet(simulator, 'Trades', { pair: 'XBTUSD', since: first.last })).body.result;
    expect(next.XXBTZUSD.map((row: unknown[]) => row[6])).toEqual([41, 42, 43, 44]);
    expect(next.XXBTZUSD.map((row: unknown[]) => row[0])).toEqual(['40000.0', '40010.0', '38900.0', '39000.0']);
    expect(BigInt(next.last)).toBeGreaterThan(BigInt(first.last));
    const after = (await publicGet(simulator, 'Trades', { pair: 'XBTUSD', since: next.last })).body.result;
    expect(after.XXBTZUSD).toEqual([]);
    expect(after.last).toBe(next.last);

    const spread = (await publicGet(simulator, 'Spread', { pair: 'XBTUSD' })).body.result;
    expect(spread.XXBTZUSD.at(-1)).toEqual([(START + 11 * MINUTE - 1) / 1000 | 0, '39000.0', '39000.1']);
  });

  it('answers unknown and funding endpoints with EGeneral:Unknown method', async () => {
    const simulator = await open();
    expect((await publicGet(simulator, 'Nope')).body).toEqual({ error: ['EGeneral:Unknown method'] });
    for (const endpoint of ['Withdraw', 'DepositAddresses', 'WalletTransfer', 'WithdrawCancel']) {
      expect((await signedPost(simulator, endpoint, { asset: 'XBT' })).body).toEqual({ error: ['EGeneral:Unknown method'] });
    }
  });
});

describe('Kraken simulator REST: authentication and limits', () => {
  it("accepts Kraken's worked signing example byte for byte (spec §4.3)", async () => {
    const simulator = await open();
    const body = 'nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25';
    const response = await fetch(`${simulator.restUrl}/0/private/AddOrder`, {
      method: 'POST',
      headers: {
        'API-Key': KEY,
        'API-Sign': '4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==',
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body,
    });
    const json = (await response.json()) as { error: string[]; result: { descr: { order: string }; txid: string[] } };
    expect(json.error).toEqual([]);
    expect(json.result.descr.order).toBe('buy 1.25000000 XBTUSD @ limit 37500.0');
    expect(json.result.txid).toHaveLength(1);
  });

  it('rejects a wrong signature, an unknown key and a replayed or lower nonce', async () => {
    const simulator = await open();
    expect((await signedPost(simulator, 'Balance', {}, { secret: OTHER_SECRET })).body).toEqual({ error: ['EAPI:Invalid signature'] });
    expect((await signedPost(simulator, 'Balance', {}, { sign: 'AAAA' })).body).toEqual({ error: ['EAPI:Invalid signature'] });
    expect((await signedPost(simulator, 'Balance', {}, { key: 'nobody' })).body).toEqual({ error: ['EAPI:Invalid key'] });
    const nonce = Date.now() * 1000 + 999_999;
    expect((await signedPost(simulator, 'Balance', {}, { nonce })).body.error).toEqual([]);
    expect((await signedPost(simulator, 'Balance', {}, { nonce })).body).toEqual({ error: ['EAPI:Invalid nonce'] });
    expect((await signedPost(simulator, 'Balance', {}, { nonce: nonce - 5 })).body).toEqual({ error: ['EAPI:Invalid nonce'] });
    expect((await signedPost(simulator, 'Balance', {}, { nonce: nonce + 1 })).body.error).toEqual([]);
    // Each key has its own nonce: the other key accepts a small one.
    expect((await signedPost(simulator, 'Balance', {}, { key: OTHER_KEY, secret: OTHER_SECRET, nonce: 5 })).body.error).toEqual([]);
  });

  it('locks a key after repeated authentication failures', async () => {
    const simulator = await open({ lockout: { failures: 3, durationMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await signedPost(simulator, 'Balance', {}, { sign: 'bad' })).body.error).toEqual(['EAPI:Invalid signature']);
    expect((await signedPost(simulator, 'Balance')).body).toEqual({ error: ['EGeneral:Temporary lockout'] });
  });

  it('refuses calls beyond the REST counter with EAPI:Rate limit exceeded (starter: 15)', async () => {
    const simulator = await open();
    const errors: string[][] = [];
    for (let i = 0; i < 17; i++) errors.push((await signedPost(simulator, 'Balance')).body.error);
    expect(errors.slice(0, 15).every((error) => error.length === 0)).toBe(true);
    expect(errors.slice(15)).toEqual([['EAPI:Rate limit exceeded'], ['EAPI:Rate limit exceeded']]);
    // Order entry is not on the REST counter.
    expect((await signedPost(simulator, 'AddOrder', { pair: 'XBTUSD', type: 'buy', ordertype: 'limit', price: '30000', volume: '0.01' })).body.error).toEqual([]);
  });

  it("refuses orders beyond the pair's trading counter with EOrder:Rate limit exceeded, charging failed orders too", async () => {
    const simulator = await open();
    const errors: string[] = [];
    // Below ordermin: every call fails validation but still costs +1 (spec §7.2).
    for (let i = 0; i < 66; i++) {
      errors.push((await signedPost(simulator, 'AddOrder', { pair: 'XBTUSD', type: 'buy', ordertype: 'limit', price: '30000', volume: '0.00001' })).body.error[0]!);
    }
    expect(errors.slice(0, 59).every((error) => error === 'EOrder:Order minimum not met')).toBe(true);
    expect(errors).toContain('EOrder:Rate limit exceeded');
    // Another pair's counter is separate; the other key's too.
    expect((await signedPost(simulator, 'AddOrder', { pair: 'XBTUSD', type: 'buy', ordertype: 'limit', price: '30000', volume: '0.00001' }, { key: OTHER_KEY, secret: OTHER_SECRET })).body.error).toEqual([
      'EOrder:Order minimum not met',
    ]);
  });
});

describe('Kraken simulator REST: orders', () => {
  const limitBuy = (price: string, volume: string, extra: Record<string, string> = {}) => ({ pair: 'XBTUSD', type: 'buy', ordertype: 'limit', price, volume, ...extra });

  it('validates without placing when validate=true', async () => {
    const simulator = await open();
    const { body } = await signedPost(simulator, 'AddOrder', limitBuy('39500', '0.01', { validate: 'true' }));
    expect(body).toEqual({ error: [], result: { descr: { order: 'buy 0.01000000 XBTUSD @ limit 39500.0' } } });
    expect((await signedPost(simulator, 'OpenOrders')).body.result).toEqual({ open: {} });
    expect((await signedPost(simulator, 'BalanceEx')).body.result.ZUSD).toEqual({ balance: '100000.0000', hold_trade: '0.0000' });
    // Validation still applies every rule.
    expect((await signedPost(simulator, 'AddOrder', limitBuy('39500', '0.00005', { validate: 'true' }))).body.error).toEqual(['EOrder:Order minimum not met']);
  });

  it("refuses with Kraken's texts: ordermin, costmin, price decimals, tick, funds, unknown pair, bad arguments", async () => {
    const simulator = await open();
    const add = async (params: Record<string, string>, key = KEY, secret = SPEC_SECRET) => (await signedPost(simulator, 'AddOrder', params, { key, secret })).body.error;
    expect(await add(limitBuy('39500', '0.00005'))).toEqual(['EOrder:Order minimum not met']);
    expect(await add(limitBuy('1000', '0.0001'))).toEqual(['EOrder:Cost minimum not met']);
    expect(await add(limitBuy('39500.05', '0.01'))).toEqual(['EOrder:Invalid price:XBTUSD price can only be specified up to 1 decimals.']);
    expect(await add(limitBuy('39500', '0.000000001'))).toEqual(['EGeneral:Invalid arguments:volume']);
    expect(await add(limitBuy('39500', '0.01'), OTHER_KEY, OTHER_SECRET)).toEqual(['EOrder:Insufficient funds']);
    expect(await add({ ...limitBuy('39500', '0.01'), pair: 'XXXYYY' })).toEqual(['EQuery:Unknown asset pair']);
    expect(await add({ ...limitBuy('39500', '0.01'), ordertype: 'trailing-stop' })).toEqual(['EGeneral:Invalid arguments:ordertype']);
    expect(await add({ ...limitBuy('39500', '0.01'), type: 'hold' })).toEqual(['EGeneral:Invalid arguments:type']);
    expect(await add({ ...limitBuy('39500', '0.01'), cl_ord_id: 'x', userref: '5' })).toEqual(['EGeneral:Invalid arguments:cl_ord_id']);
    expect(await add({ ...limitBuy('39500', '0.01'), oflags: 'post,bogus' })).toEqual(['EGeneral:Invalid arguments:oflags']);
    // Selling more BTC than held.
    expect(await add({ pair: 'XBTUSD', type: 'sell', ordertype: 'limit', price: '45000', volume: '2' })).toEqual(['EOrder:Insufficient funds']);
    // A post-only order that would take is refused.
    expect((await add({ ...limitBuy('40000.1', '0.01'), oflags: 'post' }))[0]).toMatch(/^EGeneral:Invalid arguments:post_only/);
  });

  it('fills a resting limit buy when the market trades through it: ClosedOrders, TradesHistory and balances', async () => {
    const simulator = await open();
    const placed = await signedPost(simulator, 'AddOrder', limitBuy('39500', '0.01', { userref: '42', oflags: 'post' }));
    const txid = placed.body.result.txid[0] as string;
    expect(placed.body.result.descr.order).toBe('buy 0.01000000 XBTUSD @ limit 39500.0');
    const open1 = (await signedPost(simulator, 'OpenOrders')).body.result.open[txid];
    expect(open1).toMatchObject({ status: 'open', userref: 42, vol: '0.01000000', vol_exec: '0.00000000', oflags: 'post,fciq' });
    expect(open1.descr).toEqual({ pair: 'XBTUSD', type: 'buy', ordertype: 'limit', price: '39500.0', price2: '0', leverage: 'none', order: 'buy 0.01000000 XBTUSD @ limit 39500.0', close: '' });
    // The buy holds cost plus the taker fee it might pay.
    expect((await signedPost(simulator, 'BalanceEx')).body.result.ZUSD.hold_trade).toBe('396.5800');

    expect(simulator.step()).toBe(true); // bar 11 falls to 38,900

    expect((await signedPost(simulator, 'OpenOrders')).body.result.open).toEqual({});
    const closed = (await signedPost(simulator, 'ClosedOrders', { trades: true })).body.result;
    expect(closed.count).toBe(1);
    const order = closed.closed[txid];
    expect(order).toMatchObject({ status: 'closed', vol_exec: '0.01000000', cost: '395.00000', fee: '0.98750', price: '39500.00000', reason: null });
    expect(order.trades).toHaveLength(1);
    expect(order.closetm).toBeGreaterThan(order.opentm);
    const history = (await signedPost(simulator, 'TradesHistory')).body.result;
    expect(history.count).toBe(1);
    const [tradeTxid, trade] = Object.entries(history.trades)[0] as [string, Record<string, unknown>];
    expect(tradeTxid).toBe(order.trades[0]);
    expect(trade).toMatchObject({ ordertxid: txid, pair: 'XXBTZUSD', type: 'buy', ordertype: 'limit', price: '39500.00000', cost: '395.00000', fee: '0.98750', vol: '0.01000000', maker: true });
    expect(trade.postxid).toMatch(/^T[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{6}$/);
    expect((await signedPost(simulator, 'Balance')).body.result).toEqual({ XXBT: '1.0100000000', ZUSD: '99604.0125' });
    expect(Object.keys((await signedPost(simulator, 'QueryOrders', { txid })).body.result)).toEqual([txid]);
    expect((await signedPost(simulator, 'QueryOrders', { txid: 'OXXXXX-XXXXX-XXXXXX' })).body.error).toEqual(['EOrder:Invalid order']);
  });

  it('fills a market order at once against the standing book, with the taker fee', async () => {
    const simulator = await open();
    const placed = await signedPost(simulator, 'AddOrder', { pair: 'XBTUSD', type: 'buy', ordertype: 'market', volume: '0.5', cl_ord_id: 'mkt-1' });
    expect(placed.body.result.descr.order).toBe('buy 0.50000000 XBTUSD @ market');
    const txid = placed.body.result.txid[0];
    const order = (await signedPost(simulator, 'QueryOrders', { txid })).body.result[txid];
    // The best ask is 40,000.1; taker fee 0.40%.
    expect(order).toMatchObject({ status: 'closed', cl_ord_id: 'mkt-1', vol_exec: '0.50000000', cost: '20000.05000', fee: '80.00020', price: '40000.10000' });
    expect((await signedPost(simulator, 'ClosedOrders', { cl_ord_id: 'mkt-1' })).body.result.count).toBe(1);
  });

  it('triggers stop-loss orders, cancels unfilled IOC at once and expires GTD orders', async () => {
    const simulator = await open();
    const stop = await signedPost(simulator, 'AddOrder', { pair: 'XBTUSD', type: 'sell', ordertype: 'stop-loss', price: '39500', volume: '0.1' });
    expect(stop.body.result.descr.order).toBe('sell 0.10000000 XBTUSD @ stop loss 39500.0');
    const ioc = await signedPost(simulator, 'AddOrder', limitBuy('39000', '0.01', { timeinforce: 'IOC' }));
    const gtd = await signedPost(simulator, 'AddOrder', limitBuy('30000', '0.01', { timeinforce: 'GTD', expiretm: '+30' }));
    expect((await signedPost(simulator, 'AddOrder', limitBuy('30000', '0.01', { timeinforce: 'GTD' }))).body.error).toEqual(['EGeneral:Invalid arguments:expiretm']);
    const [stopTxid, iocTxid, gtdTxid] = [stop, ioc, gtd].map((call) => call.body.result.txid[0] as string);
    expect((await signedPost(simulator, 'QueryOrders', { txid: iocTxid })).body.result[iocTxid].status).toBe('canceled');
    expect((await signedPost(simulator, 'QueryOrders', { txid: gtdTxid })).body.result[gtdTxid]).toMatchObject({ status: 'open', expiretm: (simulator.now() + 30_000) / 1000 });
    simulator.step();
    const orders = (await signedPost(simulator, 'QueryOrders', { txid: `${stopTxid},${gtdTxid}` })).body.result;
    // The fall gapped through the trigger: the stop sold at the first price below it.
    expect(orders[stopTxid]).toMatchObject({ status: 'closed', vol_exec: '0.10000000', price: '38900.00000', misc: 'stopped' });
    expect(orders[gtdTxid].status).toBe('expired');
  });

  it('cancels by txid, userref and cl_ord_id; CancelAll counts; unknown orders are refused', async () => {
    const simulator = await open();
    const place = async (extra: Record<string, string>) => (await signedPost(simulator, 'AddOrder', limitBuy('30000', '0.01', extra))).body.result.txid[0] as string;
    const a = await place({});
    await place({ userref: '7' });
    await place({ userref: '7' });
    await place({ cl_ord_id: 'c4b0f0f5-6a63-4d4c-9a0e-2e4f5d1c7a11' });
    await place({});
    await place({});
    expect((await signedPost(simulator, 'CancelOrder', { txid: a })).body.result).toEqual({ count: 1, pending: false });
    expect((await signedPost(simulator, 'CancelOrder', { txid: a })).body.error).toEqual(['EOrder:Unknown order']);
    expect((await signedPost(simulator, 'CancelOrder', { txid: '7' })).body.result).toEqual({ count: 2, pending: false });
    expect((await signedPost(simulator, 'CancelOrder', { cl_ord_id: 'c4b0f0f5-6a63-4d4c-9a0e-2e4f5d1c7a11' })).body.result.count).toBe(1);
    expect((await signedPost(simulator, 'CancelAll')).body.result).toEqual({ count: 2, pending: false });
    const closed = (await signedPost(simulator, 'ClosedOrders')).body.result;
    expect(closed.count).toBe(6);
    expect(Object.values(closed.closed).every((order: any) => order.status === 'canceled' && order.reason === 'User requested')).toBe(true);
    expect((await signedPost(simulator, 'BalanceEx')).body.result.ZUSD.hold_trade).toBe('0.0000');
  });

  it('amends in place (same txid) and edits by cancel-and-replace (new txid)', async () => {
    const simulator = await open();
    const txid = (await signedPost(simulator, 'AddOrder', limitBuy('30000', '0.01'))).body.result.txid[0];
    const amended = await signedPost(simulator, 'AmendOrder', { txid, order_qty: '0.02', limit_price: '31000' });
    expect(amended.body.result.amend_id).toMatch(/^A/);
    const order = (await signedPost(simulator, 'QueryOrders', { txid })).body.result[txid];
    expect(order).toMatchObject({ status: 'open', vol: '0.02000000' });
    expect(order.descr.price).toBe('31000.0');
    expect((await signedPost(simulator, 'AmendOrder', { txid, limit_price: '31000.05' })).body.error).toEqual(['EOrder:Invalid price:XBTUSD price can only be specified up to 1 decimals.']);
    expect((await signedPost(simulator, 'QueryOrders', { txid })).body.result[txid].descr.price).toBe('31000.0');

    const edited = (await signedPost(simulator, 'EditOrder', { txid, pair: 'XBTUSD', price: '32000' })).body.result;
    expect(edited).toMatchObject({ status: 'ok', originaltxid: txid, orders_cancelled: 1, price: '32000.0', volume: '0.02000000' });
    expect(edited.txid).not.toBe(txid);
    const both = (await signedPost(simulator, 'QueryOrders', { txid: `${txid},${edited.txid}` })).body.result;
    expect(both[txid]).toMatchObject({ status: 'canceled', reason: 'Order replaced' });
    expect(both[edited.txid]).toMatchObject({ status: 'open', vol: '0.02000000' });
  });

  it('places batches with per-row errors (AddOrderBatch, JSON body)', async () => {
    const simulator = await open();
    const rest = client(simulator);
    const result = await rest.addOrderBatch({
      pair: 'XBTUSD',
      orders: [
        { type: 'buy', ordertype: 'limit', price: '30000', volume: '0.01', cl_ord_id: 'batch-a' },
        { type: 'buy', ordertype: 'limit', price: '30000', volume: '0.00001' },
      ],
    });
    expect(result.orders[0]).toMatchObject({ descr: { order: 'buy 0.01000000 XBTUSD @ limit 30000.0' }, txid: expect.stringMatching(/^O/) });
    expect(result.orders[1]).toEqual({ error: 'EOrder:Order minimum not met' });
    expect(simulator.account(KEY).openOrders()).toHaveLength(1);
  });

  it("cancels every open order when the dead man's switch expires, and disarms with 0", async () => {
    const simulator = await open();
    await signedPost(simulator, 'AddOrder', limitBuy('30000', '0.01'));
    const disarmed = (await signedPost(simulator, 'CancelAllOrdersAfter', { timeout: 0 })).body.result;
    expect(disarmed.triggerTime).toBe('0');
    const armed = (await signedPost(simulator, 'CancelAllOrdersAfter', { timeout: 1 })).body.result;
    expect(Date.parse(armed.triggerTime) - Date.parse(armed.currentTime)).toBe(1000);
    expect((await signedPost(simulator, 'CancelAllOrdersAfter', { timeout: 86400 })).body.error).toEqual(['EGeneral:Invalid arguments:timeout']);
    expect(simulator.account(KEY).openOrders()).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(simulator.account(KEY).openOrders()).toHaveLength(0);
    const closed = (await signedPost(simulator, 'ClosedOrders')).body.result.closed;
    expect(Object.values(closed).map((order: any) => order.status)).toEqual(['canceled']);
  });

  it('injects faults: Kraken errors, gateway statuses, and errors after the order was placed', async () => {
    const simulator = await open();
    simulator.rejectNext('AddOrder', 'EService:Unavailable');
    expect((await signedPost(simulator, 'AddOrder', limitBuy('30000', '0.01'))).body).toEqual({ error: ['EService:Unavailable'] });
    expect(simulator.account(KEY).openOrders()).toHaveLength(0);
    simulator.rejectNext('Ticker', { httpStatus: 502 });
    expect((await fetch(`${simulator.restUrl}/0/public/Ticker?pair=XBTUSD`)).status).toBe(502);
    expect((await publicGet(simulator, 'Ticker', { pair: 'XBTUSD' })).status).toBe(200);
    simulator.rejectNext('AddOrder', { error: 'EGeneral:Internal error', after: true });
    expect((await signedPost(simulator, 'AddOrder', limitBuy('30000', '0.01', { cl_ord_id: 'ambiguous' }))).body.error).toEqual(['EGeneral:Internal error']);
    expect(simulator.account(KEY).openOrders().map((order) => order.clOrdId)).toEqual(['ambiguous']);
  });

  it('restricts trading by system status', async () => {
    const simulator = await open();
    simulator.setSystemStatus('cancel_only');
    expect((await publicGet(simulator, 'SystemStatus')).body.result.status).toBe('cancel_only');
    expect((await signedPost(simulator, 'AddOrder', limitBuy('30000', '0.01'))).body.error).toEqual(['EService:Market in cancel_only mode']);
    simulator.setSystemStatus('post_only');
    expect((await signedPost(simulator, 'AddOrder', limitBuy('30000', '0.01'))).body.error).toEqual(['EService:Market in post_only mode']);
    expect((await signedPost(simulator, 'AddOrder', limitBuy('30000', '0.01', { oflags: 'post' }))).body.error).toEqual([]);
  });
});

describe('Kraken simulator REST: the real KrakenRestClient', () => {
  it('works end to end: public data, balances, orders by cl_ord_id, cancel, WebSocket token', async () => {
    const simulator = await open();
    const rest = client(simulator);
    expect((await rest.time()).unixtime).toBe(Math.floor(simulator.now() / 1000));
    expect(Object.keys(await rest.ticker({ pair: ['XBTUSD'] }))).toEqual(['XXBTZUSD']);
    expect(await rest.balance()).toEqual({ XXBT: '1.0000000000', ZUSD: '100000.0000' });
    const placed = await rest.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'limit', price: '39500', volume: '0.01', cl_ord_id: 'client-7', oflags: ['post'] });
    const txid = placed.txid![0]!;
    expect(Object.keys((await rest.openOrders({ cl_ord_id: 'client-7' })).open)).toEqual([txid]);
    simulator.step();
    const closed = await rest.closedOrders({ cl_ord_id: 'client-7' });
    expect(closed.closed[txid]?.status).toBe('closed');
    expect(Object.values((await rest.tradesHistory()).trades)[0]?.ordertxid).toBe(txid);
    const second = await rest.addOrder({ pair: 'XBTUSD', type: 'sell', ordertype: 'limit', price: '45000', volume: '0.01' });
    expect(await rest.cancelOrder({ txid: second.txid![0]! })).toEqual({ count: 1, pending: false });
    const token = await rest.getWebSocketsToken();
    expect(token.expires).toBe(900);
    expect(token.token.length).toBeGreaterThan(20);
    await expect(rest.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'limit', price: '39500', volume: '0.00001' })).rejects.toSatisfy(
      (error: unknown) => error instanceof ExchangeError && error.venueMessage === 'EOrder:Order minimum not met',
    );
    const other = client(simulator, OTHER_KEY, SPEC_SECRET);
    await expect(other.balance()).rejects.toSatisfy((error: unknown) => error instanceof ExchangeError && error.venueMessage === 'EAPI:Invalid signature');
  });

  it('serves a second pair with its own names and precision', async () => {
    const simulator = await open({
      market: {
        sources: [scriptedBars('BTC/USD', flat(40_000, 20)), scriptedBars('ETH/USD', flat(2_000.5, 20))],
        historyBars: 5,
      },
    });
    const pairs = (await publicGet(simulator, 'AssetPairs')).body.result;
    expect(Object.keys(pairs).sort()).toEqual(['XETHZUSD', 'XXBTZUSD']);
    expect(pairs.XETHZUSD).toMatchObject({ altname: 'ETHUSD', wsname: 'ETH/USD', base: 'XETH', quote: 'ZUSD', pair_decimals: 2, ordermin: '0.002' });
    const ticker = (await publicGet(simulator, 'Ticker')).body.result;
    expect(ticker.XETHZUSD.c[0]).toBe('2000.50');
    expect((await signedPost(simulator, 'TradeBalance')).body.result.eb).toBe('140000.0000');
  });
});
