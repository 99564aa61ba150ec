import { afterEach, describe, expect, it } from 'vitest';
import { KrakenRestClient } from '../rest/rest-client.js';
import type { KrakenSimulator } from './kraken-simulator.js';
import { KEY, OTHER_KEY, OTHER_SECRET, ReferenceBook, SPEC_SECRET, WsProbe, signedPost, startTestSimulator } from './simulator-test-fixtures.js';

let sim: KrakenSimulator | undefined;
const probes: WsProbe[] = [];

async function open(overrides: Parameters<typeof startTestSimulator>[0] = {}): Promise<KrakenSimulator> {
  sim = await startTestSimulator(overrides);
  return sim;
}

async function connect(url: string): Promise<WsProbe> {
  const probe = await WsProbe.connect(url);
  probes.push(probe);
  return probe;
}

afterEach(async () => {
  for (const probe of probes.splice(0)) probe.close();
  await sim?.stop();
  sim = undefined;
});

async function token(simulator: KrakenSimulator, key = KEY, secret = SPEC_SECRET): Promise<string> {
  return (await signedPost(simulator, 'GetWebSocketsToken', {}, { key, secret })).body.result.token;
}

describe('Kraken simulator WebSocket v2: public', () => {
  it('sends status on connect and answers ping with pong', async () => {
    const simulator = await open();
    const ws = await connect(simulator.wsUrl);
    const status = await ws.next((m) => m.channel === 'status');
    expect(status.type).toBe('update');
    expect(status.data[0]).toMatchObject({ api_version: 'v2', system: 'online' });
    // connection_id is a uint64 written as raw digits (no quotes), as Kraken sends it.
    expect(ws.raw[0]).toMatch(/"connection_id":\d+,/);
    const pong = ws.next((m) => m.method === 'pong');
    ws.send({ method: 'ping', req_id: 101 });
    expect(await pong).toMatchObject({ method: 'pong', req_id: 101 });
    expect((await pong).time_in).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });

  it('streams a book whose every checksum a reference client reproduces (snapshot + updates, depth 10)', async () => {
    const simulator = await open();
    const ws = await connect(simulator.wsUrl);
    const ack = await ws.request({ method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USD'], depth: 10 }, req_id: 1 });
    expect(ack).toMatchObject({ success: true, result: { channel: 'book', depth: 10, snapshot: true, symbol: 'BTC/USD' } });
    const snapshot = await ws.next((m) => m.channel === 'book' && m.type === 'snapshot');
    expect(snapshot.data[0].bids).toHaveLength(10);
    expect(snapshot.data[0].asks[0]).toEqual({ price: 40000.1, qty: expect.any(Number) });
    const book = new ReferenceBook(10, 1, 8);
    book.apply(snapshot.data[0]);
    expect(book.checksum()).toBe(snapshot.data[0].checksum);

    for (let i = 0; i < 12; i++) simulator.step();
    await ws.flush();
    const updates = ws.messages.filter((m) => m.channel === 'book' && m.type === 'update');
    expect(updates.length).toBeGreaterThan(30);
    for (const update of updates) {
      book.apply(update.data[0]);
      expect(book.checksum()).toBe(update.data[0].checksum);
    }
    // The market fell to 39,000 and rose to 41,000: the maintained book followed it.
    expect(Math.max(...[...book.bids.keys()].map(Number))).toBe(41_000);
    expect(Math.min(...[...book.asks.keys()].map(Number))).toBe(41_000.1);
  });

  it('keeps checksums right at depth 25 and a client that does not truncate fails them, as on Kraken', async () => {
    const simulator = await open();
    const ws = await connect(simulator.wsUrl);
    await ws.request({ method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USD'], depth: 25 }, req_id: 2 });
    const snapshot = await ws.next((m) => m.channel === 'book' && m.type === 'snapshot');
    const good = new ReferenceBook(25, 1, 8);
    const untruncated = new ReferenceBook(1000, 1, 8);
    good.apply(snapshot.data[0]);
    untruncated.apply(snapshot.data[0]);
    for (let i = 0; i < 20; i++) simulator.step();
    await ws.flush();
    let untruncatedFailures = 0;
    for (const update of ws.messages.filter((m) => m.channel === 'book' && m.type === 'update')) {
      good.apply(update.data[0]);
      untruncated.apply(update.data[0]);
      expect(good.checksum()).toBe(update.data[0].checksum);
      if (untruncated.checksum() !== update.data[0].checksum) untruncatedFailures++;
    }
    expect(untruncatedFailures).toBeGreaterThan(0);
  });

  it('corrupts exactly the next book checksum on request', async () => {
    const simulator = await open();
    const ws = await connect(simulator.wsUrl);
    await ws.request({ method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USD'] }, req_id: 3 });
    const snapshot = await ws.next((m) => m.channel === 'book' && m.type === 'snapshot');
    const book = new ReferenceBook(10, 1, 8);
    book.apply(snapshot.data[0]);
    simulator.corruptNextBookChecksum();
    simulator.step();
    await ws.flush();
    const results = ws.messages
      .filter((m) => m.channel === 'book' && m.type === 'update')
      .map((update) => {
        book.apply(update.data[0]);
        return book.checksum() === update.data[0].checksum;
      });
    expect(results[0]).toBe(false);
    expect(results.slice(1).every(Boolean)).toBe(true);
  });

  it('serves ticker, trade, ohlc and instrument channels, and refuses unknown symbols and channels', async () => {
    const simulator = await open();
    const ws = await connect(simulator.wsUrl);
    const tickerAck = await ws.request({ method: 'subscribe', params: { channel: 'ticker', symbol: ['BTC/USD'] }, req_id: 10 });
    expect(tickerAck.result).toEqual({ channel: 'ticker', event_trigger: 'trades', snapshot: true, symbol: 'BTC/USD' });
    const ticker = await ws.next((m) => m.channel === 'ticker' && m.type === 'snapshot');
    expect(ticker.data[0]).toMatchObject({ symbol: 'BTC/USD', bid: 40000, ask: 40000.1, last: 40000, volume: 50, low: 39999, high: 40001 });

    expect((await ws.request({ method: 'subscribe', params: { channel: 'trade', symbol: ['BTC/USD'] }, req_id: 11 })).result).toEqual({ channel: 'trade', snapshot: false, symbol: 'BTC/USD' });
    const ohlcAck = await ws.request({ method: 'subscribe', params: { channel: 'ohlc', symbol: ['BTC/USD'], interval: 5 }, req_id: 12 });
    expect(ohlcAck.result).toEqual({ channel: 'ohlc', interval: 5, snapshot: true, symbol: 'BTC/USD' });
    const candles = await ws.next((m) => m.channel === 'ohlc' && m.type === 'snapshot');
    expect(candles.data[0]).toMatchObject({ symbol: 'BTC/USD', open: 40000, high: 40001, low: 39999, close: 40000, volume: 25, interval: 5, interval_begin: '2024-01-01T00:00:00.000000Z' });

    await ws.request({ method: 'subscribe', params: { channel: 'instrument' }, req_id: 13 });
    const instrument = await ws.next((m) => m.channel === 'instrument');
    expect(instrument.data.pairs[0]).toMatchObject({ symbol: 'BTC/USD', price_precision: 1, qty_precision: 8, price_increment: 0.1, qty_min: 0.0001, cost_min: 0.5, status: 'online' });
    expect(instrument.data.assets.map((asset: { id: string }) => asset.id)).toEqual(['BTC', 'USD']);

    simulator.step();
    const trades = await ws.next((m) => m.channel === 'trade' && m.type === 'update');
    expect(trades.data[0]).toMatchObject({ symbol: 'BTC/USD', side: expect.stringMatching(/^(buy|sell)$/), ord_type: 'market', trade_id: 41 });
    await ws.next((m) => m.channel === 'ticker' && m.type === 'update');
    const candle = await ws.next((m) => m.channel === 'ohlc' && m.type === 'update' && m.data[0]?.low === 38900);
    expect(candle.data[0].interval_begin).toBe('2024-01-01T00:10:00.000000Z');

    const unknown = await ws.request({ method: 'subscribe', params: { channel: 'ticker', symbol: ['DOGE/EUR'] }, req_id: 14 });
    expect(unknown).toMatchObject({ success: false, error: 'Currency pair not supported DOGE/EUR', symbol: 'DOGE/EUR' });
    expect((await ws.request({ method: 'subscribe', params: { channel: 'nope' }, req_id: 15 })).success).toBe(false);
    expect((await ws.request({ method: 'subscribe', params: { channel: 'ticker', symbol: ['BTC/USD'] }, req_id: 16 })).error).toBe('Already subscribed');
    expect((await ws.request({ method: 'unsubscribe', params: { channel: 'ticker', symbol: ['BTC/USD'] }, req_id: 17 })).success).toBe(true);
    expect((await ws.request({ method: 'unsubscribe', params: { channel: 'ticker', symbol: ['BTC/USD'] }, req_id: 18 })).error).toBe('Subscription Not Found');
    expect((await ws.request({ method: 'subscribe', params: { channel: 'executions', token: 'x' }, req_id: 19 })).error).toBe('EGeneral:Permission denied');
  });

  it('sends heartbeats when idle and drops every connection on request', async () => {
    const simulator = await open({ heartbeatMs: 100 });
    const ws = await connect(simulator.wsUrl);
    const auth = await connect(simulator.wsAuthUrl);
    await ws.request({ method: 'subscribe', params: { channel: 'ticker', symbol: ['BTC/USD'] }, req_id: 1 });
    await ws.next((m) => m.channel === 'heartbeat', 2000);
    expect(simulator.connections).toBe(2);
    simulator.dropConnections();
    expect(await ws.closed()).toBe(1006);
    expect(await auth.closed()).toBe(1006);
    expect(simulator.connections).toBe(0);
    // Reconnecting works.
    const again = await connect(simulator.wsUrl);
    expect((await again.next((m) => m.channel === 'status')).data[0].system).toBe('online');
  });
});

describe('Kraken simulator WebSocket v2: private', () => {
  it('streams executions for an order placed over WebSocket: pending_new, new, trade, filled', async () => {
    const simulator = await open();
    const ws = await connect(simulator.wsAuthUrl);
    const wsToken = await token(simulator);
    const ack = await ws.request({ method: 'subscribe', params: { channel: 'executions', token: wsToken, snap_trades: true }, req_id: 1 });
    expect(ack).toMatchObject({ success: true, result: { channel: 'executions' } });
    const snapshot = await ws.next((m) => m.channel === 'executions' && m.type === 'snapshot');
    expect(snapshot).toMatchObject({ data: [], sequence: 1 });

    const added = await ws.request({
      method: 'add_order',
      params: { order_type: 'limit', side: 'buy', order_qty: 0.01, symbol: 'BTC/USD', limit_price: 39500, time_in_force: 'gtc', post_only: true, cl_ord_id: 'ws-order-1', token: wsToken },
      req_id: 2,
    });
    expect(added).toMatchObject({ method: 'add_order', success: true, result: { order_id: expect.stringMatching(/^O/), cl_ord_id: 'ws-order-1' } });
    const orderId = added.result.order_id;
    simulator.step();
    const filled = await ws.next((m) => m.channel === 'executions' && m.data[0]?.exec_type === 'filled');
    const updates = ws.messages.filter((m) => m.channel === 'executions' && m.type === 'update');
    expect(updates.map((m) => m.data[0]?.exec_type)).toEqual(['pending_new', 'new', 'trade', 'filled']);
    expect(updates.map((m) => m.sequence)).toEqual([2, 3, 4, 5]);
    expect(updates[0].data[0]).toMatchObject({ order_id: orderId, cl_ord_id: 'ws-order-1', symbol: 'BTC/USD', side: 'buy', order_type: 'limit', order_qty: 0.01, limit_price: 39500, post_only: true, order_status: 'pending_new' });
    expect(updates[2].data[0]).toMatchObject({
      order_id: orderId,
      exec_id: expect.stringMatching(/^T/),
      trade_id: expect.any(Number),
      last_qty: 0.01,
      last_price: 39500,
      cost: 395,
      liquidity_ind: 'm',
      fees: [{ asset: 'USD', qty: 0.9875 }],
      order_status: 'partially_filled',
    });
    expect(filled.data[0]).toMatchObject({ order_id: orderId, order_status: 'filled', cum_qty: 0.01, cum_cost: 395, avg_price: 39500 });

    // A new connection's snapshot carries the fill when snap_trades is set.
    const second = await connect(simulator.wsAuthUrl);
    await second.request({ method: 'subscribe', params: { channel: 'executions', token: wsToken, snap_trades: true }, req_id: 1 });
    const replay = await second.next((m) => m.channel === 'executions' && m.type === 'snapshot');
    expect(replay.data).toHaveLength(1);
    expect(replay.data[0]).toMatchObject({ exec_type: 'trade', order_id: orderId, last_qty: 0.01 });
  });

  it('streams balances and shows open orders in the executions snapshot', async () => {
    const simulator = await open();
    const wsToken = await token(simulator);
    await signedPost(simulator, 'AddOrder', { pair: 'XBTUSD', type: 'buy', ordertype: 'limit', price: '39500', volume: '0.01', userref: '9' });
    const ws = await connect(simulator.wsAuthUrl);
    await ws.request({ method: 'subscribe', params: { channel: 'executions', token: wsToken }, req_id: 1 });
    const snapshot = await ws.next((m) => m.channel === 'executions' && m.type === 'snapshot');
    expect(snapshot.data).toHaveLength(1);
    expect(snapshot.data[0]).toMatchObject({ order_status: 'new', order_userref: 9, limit_price: 39500, order_qty: 0.01, cum_qty: 0 });
    await ws.request({ method: 'subscribe', params: { channel: 'balances', token: wsToken }, req_id: 2 });
    const balances = await ws.next((m) => m.channel === 'balances' && m.type === 'snapshot');
    expect(balances.data).toEqual([
      { asset: 'BTC', asset_class: 'currency', balance: 1, wallets: [{ type: 'spot', id: 'main', balance: 1 }] },
      { asset: 'USD', asset_class: 'currency', balance: 100000, wallets: [{ type: 'spot', id: 'main', balance: 100000 }] },
    ]);
    simulator.step();
    await ws.next((m) => m.channel === 'balances' && m.type === 'update' && m.data[0]?.asset === 'BTC');
    const updates = ws.messages.filter((m) => m.channel === 'balances' && m.type === 'update').map((m) => m.data[0]);
    expect(updates).toEqual([
      expect.objectContaining({ asset: 'USD', type: 'trade', amount: -395, fee: 0.9875, balance: 99604.0125, ledger_id: expect.stringMatching(/^L/) }),
      expect.objectContaining({ asset: 'BTC', type: 'trade', amount: 0.01, fee: 0, balance: 1.01 }),
    ]);
    const sequences = ws.messages.filter((m) => m.sequence !== undefined).map((m) => m.sequence);
    expect(sequences).toEqual(sequences.map((_, index) => index + 1));
  });

  it("trades over WebSocket with Kraken's response shapes and errors", async () => {
    const simulator = await open();
    const ws = await connect(simulator.wsAuthUrl);
    const wsToken = await token(simulator);
    const add = (req_id: number, params: Record<string, unknown>) =>
      ws.request({ method: 'add_order', params: { order_type: 'limit', side: 'buy', symbol: 'BTC/USD', time_in_force: 'gtc', token: wsToken, ...params }, req_id });

    expect(await add(1, { order_qty: 0.00001, limit_price: 30000 })).toMatchObject({ success: false, error: 'EOrder:Order minimum not met' });
    expect(await add(2, { order_qty: 0.01, limit_price: 30000, validate: true })).toMatchObject({ success: true, result: { order_id: '' } });
    expect(await add(3, { order_qty: 0.01, limit_price: 30000, token: 'stale' })).toMatchObject({ success: false, error: 'EAPI:Invalid token' });
    const a = (await add(4, { order_qty: 0.01, limit_price: 30000, order_userref: 5 })).result;
    expect(a).toMatchObject({ order_id: expect.any(String), order_userref: 5 });
    const amended = await ws.request({ method: 'amend_order', params: { order_id: a.order_id, limit_price: 30500, order_qty: 0.02, token: wsToken }, req_id: 5 });
    expect(amended).toMatchObject({ success: true, result: { amend_id: expect.any(String), order_id: a.order_id } });
    expect(simulator.account(KEY).openOrders()[0]).toMatchObject({ txid: a.order_id });
    expect(simulator.account(KEY).openOrders()[0]!.price!.toFixed()).toBe('30500');

    const batch = await ws.request({
      method: 'batch_add',
      params: {
        symbol: 'BTC/USD',
        token: wsToken,
        orders: [
          { order_type: 'limit', side: 'buy', order_qty: 0.01, limit_price: 30000, cl_ord_id: 'b-1' },
          { order_type: 'limit', side: 'sell', order_qty: 0.01, limit_price: 45000, cl_ord_id: 'b-2' },
        ],
      },
      req_id: 6,
    });
    expect(batch).toMatchObject({ success: true, result: [{ cl_ord_id: 'b-1' }, { cl_ord_id: 'b-2' }] });

    const cancel = ws.next((m) => m.method === 'cancel_order' && m.req_id === 7 && m.success === false);
    ws.send({ method: 'cancel_order', params: { order_id: [a.order_id, 'OXXXXX-XXXXX-XXXXXX'], token: wsToken }, req_id: 7 });
    expect(await cancel).toMatchObject({ error: 'EOrder:Invalid order' });
    expect(ws.messages.find((m) => m.method === 'cancel_order' && m.success === true)).toMatchObject({ result: { order_id: a.order_id } });

    const dms = await ws.request({ method: 'cancel_all_orders_after', params: { timeout: 60, token: wsToken }, req_id: 8 });
    expect(Date.parse(dms.result.triggerTime) - Date.parse(dms.result.currentTime)).toBe(60_000);
    expect((await ws.request({ method: 'cancel_all', params: { token: wsToken }, req_id: 9 })).result).toEqual({ count: 2 });
    await ws.request({ method: 'cancel_all_orders_after', params: { timeout: 0, token: wsToken }, req_id: 10 });

    // Trading needs the authenticated endpoint.
    const publicWs = await connect(simulator.wsUrl);
    expect(await publicWs.request({ method: 'add_order', params: { token: wsToken }, req_id: 1 })).toMatchObject({ success: false, error: 'EGeneral:Permission denied' });
  });

  it('refuses stale tokens for new subscriptions and keeps one account per connection', async () => {
    const simulator = await open();
    const mine = await token(simulator);
    const theirs = await token(simulator, OTHER_KEY, OTHER_SECRET);
    const ws = await connect(simulator.wsAuthUrl);
    await ws.request({ method: 'subscribe', params: { channel: 'executions', token: mine }, req_id: 1 });
    expect((await ws.request({ method: 'subscribe', params: { channel: 'balances', token: theirs }, req_id: 2 })).error).toBe('EGeneral:Permission denied');
    simulator.expireTokens();
    // The connection that subscribed with the token keeps trading with it ...
    expect((await ws.request({ method: 'cancel_all', params: { token: mine }, req_id: 3 })).success).toBe(true);
    // ... but a new subscription needs a fresh one.
    const other = await connect(simulator.wsAuthUrl);
    expect((await other.request({ method: 'subscribe', params: { channel: 'executions', token: mine }, req_id: 1 })).error).toBe('EAPI:Invalid token');
  });

  it('lets the real REST client and the WebSocket see the same orders', async () => {
    const simulator = await open();
    const rest = new KrakenRestClient({ baseUrl: simulator.restUrl, credentials: { apiKey: KEY, apiSecret: SPEC_SECRET }, maxAttempts: 1 });
    const { token: wsToken } = await rest.getWebSocketsToken();
    const ws = await connect(simulator.wsAuthUrl);
    await ws.request({ method: 'subscribe', params: { channel: 'executions', token: wsToken }, req_id: 1 });
    const placed = await rest.addOrder({ pair: 'XBTUSD', type: 'sell', ordertype: 'market', volume: '0.1', cl_ord_id: 'rest-mkt' });
    const filled = await ws.next((m) => m.channel === 'executions' && m.data[0]?.exec_type === 'filled');
    expect(filled.data[0]).toMatchObject({ order_id: placed.txid![0], cl_ord_id: 'rest-mkt', cum_qty: 0.1, avg_price: 40000 });
    const trade = ws.messages.find((m) => m.channel === 'executions' && m.data[0]?.exec_type === 'trade');
    expect(trade.data[0]).toMatchObject({ liquidity_ind: 't', fees: [{ asset: 'USD', qty: 16 }] });
  });
});
