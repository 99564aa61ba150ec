import { clientOrderId, instrumentId, type ExecutionReportSink } from '@kbot/core';
import { RecordingSink, submitOrder } from '@kbot/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { KrakenExecutionClient, type KrakenExecutionClientOptions, type KrakenExecutionRest } from './execution-client.js';
import { KrakenInstrumentProvider } from './instrument-provider.js';
import { KEY, SCRIPT, SPEC_SECRET, eventually, startScriptedSimulator } from './kraken-test-harness.js';
import { KrakenRestClient } from './rest/rest-client.js';
import type { KrakenSimulator } from './simulator/kraken-simulator.js';
import type { KrakenSimulatorOptions } from './simulator/simulator-options.js';
import { flat, scriptedBars } from './simulator/simulator-test-fixtures.js';

const BTC = instrumentId('BTC/USD');
const ETH = instrumentId('ETH/USD');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** The REST client, with every call it makes recorded by name. */
function recordingRest(sim: KrakenSimulator): { rest: KrakenExecutionRest; calls: string[] } {
  const inner = new KrakenRestClient({ baseUrl: sim.restUrl, credentials: { apiKey: KEY, apiSecret: SPEC_SECRET }, retryBaseDelayMs: 10, reconcileDelayMs: 10 });
  const calls: string[] = [];
  const rest = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...inner: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { rest, calls };
}

async function setUp(overrides: Partial<KrakenExecutionClientOptions> = {}, wrap: (sink: RecordingSink) => ExecutionReportSink = (sink) => sink, simulator: Partial<KrakenSimulatorOptions> = {}) {
  const sim = await startScriptedSimulator(simulator);
  cleanups.push(() => sim.stop());
  const { rest, calls } = recordingRest(sim);
  const client = new KrakenExecutionClient({
    rest,
    instruments: new KrakenInstrumentProvider(rest),
    url: sim.wsAuthUrl,
    retryDelayMs: 50,
    pollIntervalMs: 100,
    webSocket: { reconnectBaseDelayMs: 20, reconnectMaxDelayMs: 50, random: () => 0.5 },
    ...overrides,
  });
  cleanups.push(() => client.close());
  const sink = new RecordingSink();
  await client.connect(wrap(sink));
  return { sim, client, sink, calls };
}

const restingBuy = (id: string) => submitOrder({ clientOrderId: id, instrumentId: BTC, side: 'buy', type: 'limit', quantity: '0.001', price: '39600' });
const settle = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));

describe('KrakenExecutionClient order-entry budget (the pair trading counter strategies read)', () => {
  it('after a restart, starts from what the last minutes of the journal still hold on Kraken\'s counter, decayed', async () => {
    const now = 1_700_000_000_000;
    const { client } = await setUp({ now: () => now });
    const at = (secondsAgo: number) => now - secondsAgo * 1000;
    client.primeOrderEntry([
      // Stamped after this client's clock: left out, not charged ahead.
      { time: now + 60_000, instrumentId: BTC, kind: 'placed', orderCreatedAt: now + 60_000 },
      // Three quotes placed 4 s ago, two of them cancelled 2 s ago, 2 s young (8 points each).
      { time: at(4), instrumentId: BTC, kind: 'placed', orderCreatedAt: at(4) },
      { time: at(4), instrumentId: BTC, kind: 'placed', orderCreatedAt: at(4) },
      { time: at(4), instrumentId: BTC, kind: 'placed', orderCreatedAt: at(4) },
      { time: at(2), instrumentId: BTC, kind: 'cancel-requested', orderCreatedAt: at(4) },
      { time: at(2), instrumentId: BTC, kind: 'cancel-requested', orderCreatedAt: at(4) },
      // An order an hour ago (out of order in the list) has long decayed; one on another pair counts there.
      { time: at(3_600), instrumentId: BTC, kind: 'placed', orderCreatedAt: at(3_600) },
      { time: at(0), instrumentId: instrumentId('ETH/USD'), kind: 'placed', orderCreatedAt: at(0) },
    ]);
    // The starter tier decays 1 a second: 3 at −4 s, 1 left at −2 s plus 16 for the cancels, 15 left now.
    expect(client.orderEntryBudget(BTC).remaining).toBe(58 - 15);
    expect(client.orderEntryBudget(BTC).cancelCost()).toBe(8);
    expect(client.orderEntryBudget(instrumentId('ETH/USD')).remaining).toBe(58 - 1);
  });

  it('starts at the threshold less the headroom, and an order and a young cancel spend 1 and 8 as Kraken charges', async () => {
    let now = 1_700_000_000_000;
    const { client, sink } = await setUp({ now: () => now });
    // Starter tier: threshold 60, less the default headroom of 2.
    expect(client.orderEntryBudget(BTC).remaining).toBe(58);
    expect(client.orderEntryBudget(BTC).submitCost).toBe(1);
    client.submit(restingBuy('kb-1'));
    // Queued work counts at once: a strategy deciding right after sees the order's point spent.
    expect(client.orderEntryBudget(BTC).remaining).toBe(57);
    await sink.waitFor((report) => report.kind === 'accepted', 3_000);
    expect(client.orderEntryBudget(BTC).remaining).toBe(57);
    expect(client.orderEntryBudget(BTC).cancelCost(clientOrderId('kb-1'))).toBe(8);
    client.cancel({ clientOrderId: clientOrderId('kb-1'), venueOrderId: undefined, instrumentId: BTC, requestedAt: now });
    expect(client.orderEntryBudget(BTC).remaining).toBe(49);
    await sink.waitFor((report) => report.kind === 'canceled', 3_000);
    expect(client.orderEntryBudget(BTC).remaining).toBe(49);
    // The counter decays by 1 a second at the starter tier; an order older than 300 s cancels free.
    now += 5_000;
    expect(client.orderEntryBudget(BTC).remaining).toBe(54);
    expect(client.orderEntryBudget(BTC).cancelCost(clientOrderId('unknown'))).toBe(8);
    expect(client.orderEntryBudget(BTC).cancelCost()).toBe(8);
  });
});

describe('KrakenExecutionClient stopping order entry (a session stopping)', () => {
  it('reports orders and cancels still waiting for the trading counter as not sent, and never sends them', async () => {
    const { sim, client, sink } = await setUp();
    client.submit(restingBuy('kb-1'));
    await sink.waitFor((report) => report.kind === 'accepted' && report.clientOrderId === 'kb-1', 3_000);
    // The pair's counter nearly full (51 orders placed just now, of the 58 the starter tier allows
    // less headroom): a young cancel (8 points) waits a second or two, and the order after it too.
    const now = Date.now();
    client.primeOrderEntry(Array.from({ length: 51 }, () => ({ time: now, instrumentId: BTC, kind: 'placed' as const, orderCreatedAt: now })));
    client.cancel({ clientOrderId: clientOrderId('kb-1'), venueOrderId: undefined, instrumentId: BTC, requestedAt: now });
    client.submit(restingBuy('kb-2'));
    await settle(300);
    expect(sink.reports.filter((report) => report.clientOrderId !== 'kb-1' || report.kind !== 'accepted')).toEqual([]);

    client.stopOrderEntry('the session stopped');
    expect(sink.reports.slice(1)).toMatchObject([
      { kind: 'cancel-rejected', clientOrderId: 'kb-1', reason: 'not sent: the session stopped' },
      { kind: 'rejected', clientOrderId: 'kb-2', reason: 'not sent: the session stopped' },
    ]);
    // Later requests are refused at once, the same way.
    client.submit(restingBuy('kb-3'));
    client.cancel({ clientOrderId: clientOrderId('kb-1'), venueOrderId: undefined, instrumentId: BTC, requestedAt: now });
    expect(sink.reports.slice(3)).toMatchObject([
      { kind: 'rejected', clientOrderId: 'kb-3', reason: 'not sent: the session stopped' },
      { kind: 'cancel-rejected', clientOrderId: 'kb-1', reason: 'not sent: the session stopped' },
    ]);
    // Past the counter's waits, nothing went out: kb-1 still rests, and kb-2 and kb-3 were never placed.
    await settle(3_500);
    const orders = sim.account(KEY).orders();
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ status: 'open' });
    expect(sink.reports).toHaveLength(5);
  }, 10_000);
});

describe('KrakenExecutionClient canceling an order still waiting for the trading counter', () => {
  it('takes it off the queue and reports it canceled at once: it never reaches Kraken and the cancel costs nothing', async () => {
    const { sim, client, sink } = await setUp();
    const now = Date.now();
    // The pair's counter full: a new order waits about a second or more for its point.
    client.primeOrderEntry(Array.from({ length: 58 }, () => ({ time: now, instrumentId: BTC, kind: 'placed' as const, orderCreatedAt: now })));
    client.submit(restingBuy('kb-1'));
    const before = client.orderEntryBudget(BTC).remaining;
    client.cancel({ clientOrderId: clientOrderId('kb-1'), venueOrderId: undefined, instrumentId: BTC, requestedAt: now });
    expect(sink.reports).toMatchObject([{ kind: 'canceled', clientOrderId: 'kb-1', reason: 'canceled before it was sent (it was waiting for the trading counter)' }]);
    // No cancel was charged (a young cancel would have reserved 8 points), and the order's point is given back at once.
    expect(client.orderEntryBudget(BTC).remaining).toBeGreaterThanOrEqual(before + 1);
    expect(client.orderEntryBudget(BTC).remaining).toBeLessThanOrEqual(before + 2);
    // Past the counter's wait nothing went out.
    await settle(2_500);
    expect(sim.account(KEY).orders()).toHaveLength(0);
    expect(sink.reports).toHaveLength(1);
  }, 10_000);
});

describe('KrakenExecutionClient order entry across pairs', () => {
  it("does not hold one pair's orders back while another pair waits for its trading counter", async () => {
    const { sim, client, sink } = await setUp({}, undefined, {
      market: { sources: [scriptedBars('BTC/USD', SCRIPT, undefined, 50), scriptedBars('ETH/USD', flat(2000, SCRIPT.length), undefined, 50)], historyBars: 10 },
    });
    const now = Date.now();
    // BTC/USD's counter full: its order waits about a second or more. ETH/USD's is empty.
    client.primeOrderEntry(Array.from({ length: 58 }, () => ({ time: now, instrumentId: BTC, kind: 'placed' as const, orderCreatedAt: now })));
    client.submit(restingBuy('kb-btc'));
    client.submit(submitOrder({ clientOrderId: 'kb-eth', instrumentId: ETH, side: 'buy', type: 'limit', quantity: '0.01', price: '1900' }));
    const first = await sink.waitFor((report) => report.kind === 'accepted', 3_000);
    expect(first.clientOrderId).toBe('kb-eth');
    expect(sim.account(KEY).orders()).toHaveLength(1);
    // BTC/USD's order goes once its counter has room.
    expect((await sink.waitFor((report) => report.kind === 'accepted' && report.clientOrderId === 'kb-btc', 5_000)).clientOrderId).toBe('kb-btc');
  }, 10_000);
});

describe('KrakenExecutionClient against the simulator', () => {
  it('places over the WebSocket and reports the fill from the executions channel, with the TradesHistory trade id', async () => {
    const { sim, client, sink, calls } = await setUp();
    const order = restingBuy('kb-1');
    client.submit(order);
    await sink.waitFor((report) => report.kind === 'accepted', 3_000);
    for (let step = 0; step < 4; step++) sim.step();
    await sink.waitFor((report) => report.kind === 'filled', 3_000);
    await settle();
    expect(calls).not.toContain('addOrder');
    const trades = sim.account(KEY).trades();
    expect(sink.fills.map((fill) => fill.tradeId)).toEqual(trades.map((trade) => trade.txid));
    expect(sink.fills[0]).toMatchObject({ clientOrderId: 'kb-1', venueOrderId: trades[0]!.order.txid, side: 'buy', feeAsset: 'USD' });
    expect(sink.fills[0]!.price.toFixed()).toBe('39600');
    expect(sim.account(KEY).orders()[0]!.clOrdId).toBe('kb-1');
  });

  it('uses REST AddOrder and CancelOrder while the private socket is down, and polls for fills', async () => {
    // Nothing listens on port 1: the socket keeps failing and connect() goes on with REST after its timeout.
    const { sim, client, sink, calls } = await setUp({ url: 'ws://127.0.0.1:1/auth/v2', connectTimeoutMs: 200 });
    expect(client.connectionState).not.toBe('open');
    client.submit(restingBuy('kb-1'));
    client.submit(restingBuy('kb-2'));
    await sink.waitFor((report) => report.kind === 'accepted' && report.clientOrderId === 'kb-2', 3_000);
    const second = sink.reports.find((report) => report.kind === 'accepted' && report.clientOrderId === 'kb-2');
    client.cancel({ clientOrderId: clientOrderId('kb-2'), venueOrderId: second?.kind === 'accepted' ? second.venueOrderId : undefined, instrumentId: BTC, requestedAt: 0 });
    await sink.waitFor((report) => report.kind === 'canceled', 3_000);
    for (let step = 0; step < 4; step++) sim.step();
    await sink.waitFor((report) => report.kind === 'filled', 3_000);
    expect(calls.filter((call) => call === 'addOrder')).toHaveLength(2);
    expect(calls).toContain('cancelOrder');
    // The socket's failed attempts share one token: each GetWebSocketsToken would take a point of
    // the REST counter the polling needs (it once starved the poll for seconds).
    expect(calls.filter((call) => call === 'getWebSocketsToken')).toHaveLength(1);
    expect(sink.reports.map((report) => `${report.kind} ${report.clientOrderId}`)).toEqual(['accepted kb-1', 'accepted kb-2', 'canceled kb-2', 'filled kb-1']);
  });

  it('looks for the fill of a market order placed over REST a second after, not at the next poll', async () => {
    // Polls a minute apart: only the follow-up can bring the fill within the wait below.
    const { sim, client, sink, calls } = await setUp({ url: 'ws://127.0.0.1:1/auth/v2', connectTimeoutMs: 200, pollIntervalMs: 60_000, fillFollowUpMs: 300 });
    client.submit(submitOrder({ clientOrderId: 'kb-m', instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.001' }));
    client.submit(submitOrder({ clientOrderId: 'kb-m2', instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.001' }));
    await sink.waitFor((report) => report.kind === 'accepted' && report.clientOrderId === 'kb-m2', 3_000);
    sim.step();
    const filled = await sink.waitFor((report) => report.kind === 'filled' && report.clientOrderId === 'kb-m2', 3_000);
    expect(filled.kind).toBe('filled');
    expect(sink.ofKind('filled').map((report) => report.clientOrderId).sort()).toEqual(['kb-m', 'kb-m2']);
    // The two orders shared one follow-up: connect's reconciliation found nothing to ask about.
    expect(calls.filter((call) => call === 'tradesHistory')).toHaveLength(1);
  });

  it('looks an order up by cl_ord_id when its reply is lost, and does not place it twice', async () => {
    const { sim, client, sink } = await setUp();
    // Kraken placed the order, then the answer was an error that leaves the outcome unknown.
    sim.rejectNext('add_order', { error: 'EService:Unavailable', after: true });
    client.submit(restingBuy('kb-1'));
    const report = await sink.waitFor((candidate) => candidate.clientOrderId === 'kb-1', 3_000);
    await settle();
    const orders = sim.account(KEY).orders();
    expect(orders).toHaveLength(1);
    expect(report).toMatchObject({ kind: 'accepted', venueOrderId: orders[0]!.txid });
    expect(sink.reports).toHaveLength(1);
  });

  it('never sends again an order whose request went unanswered: it may still reach Kraken; the lookup or reconciliation finds it', async () => {
    // The request reaches Kraken only after the client gave up on its answer and looked it up.
    const { sim, client, sink, calls } = await setUp({ webSocket: { requestTimeoutMs: 100, reconnectBaseDelayMs: 20, reconnectMaxDelayMs: 50, random: () => 0.5 }, lookupDelayMs: 50 });
    sim.rejectNext('add_order', { delayMs: 600 });
    client.submit(restingBuy('kb-1'));
    await settle(900);
    // Looked up, not found, and not sent again: the one order is the late one.
    expect(calls).toEqual(expect.arrayContaining(['openOrders', 'closedOrders']));
    expect(calls).not.toContain('addOrder');
    const report = await sink.waitFor((candidate) => candidate.clientOrderId === 'kb-1', 3_000);
    expect(sim.account(KEY).orders()).toHaveLength(1);
    expect(report).toMatchObject({ kind: 'accepted', venueOrderId: sim.account(KEY).orders()[0]!.txid });
    expect(sink.reports.filter((candidate) => candidate.clientOrderId === 'kb-1')).toHaveLength(1);
  });

  it('sends an order again over REST when the lookup shows Kraken never placed it', async () => {
    const { sim, client, sink, calls } = await setUp();
    sim.rejectNext('add_order', 'EService:Unavailable');
    client.submit(restingBuy('kb-1'));
    const report = await sink.waitFor((candidate) => candidate.clientOrderId === 'kb-1', 3_000);
    await settle();
    expect(calls).toEqual(expect.arrayContaining(['openOrders', 'closedOrders', 'addOrder']));
    expect(sim.account(KEY).orders()).toHaveLength(1);
    expect(report).toMatchObject({ kind: 'accepted', venueOrderId: sim.account(KEY).orders()[0]!.txid });
  });

  it("waits and resends when Kraken's shared counter refuses an order, instead of rejecting it", async () => {
    const { sim, client, sink } = await setUp();
    sim.rejectNext('add_order', 'EOrder:Rate limit exceeded');
    const started = Date.now();
    client.submit(restingBuy('kb-1'));
    const report = await sink.waitFor((candidate) => candidate.clientOrderId === 'kb-1', 5_000);
    expect(report.kind).toBe('accepted');
    // The pair's counter was taken as full: one point decays in a second on the starter tier.
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(sim.account(KEY).orders()).toHaveLength(1);
  });

  it("reports Kraken's rejection text, and cancel-rejected for an order Kraken does not have", async () => {
    const { client, sink } = await setUp();
    client.submit(submitOrder({ clientOrderId: 'kb-1', instrumentId: BTC, side: 'buy', type: 'limit', quantity: '1000', price: '39600' }));
    const rejected = await sink.waitFor((report) => report.clientOrderId === 'kb-1', 3_000);
    expect(rejected).toMatchObject({ kind: 'rejected', reason: 'EOrder:Insufficient funds' });
    client.cancel({ clientOrderId: clientOrderId('kb-404'), venueOrderId: undefined, instrumentId: BTC, requestedAt: 0 });
    const cancel = await sink.waitFor((report) => report.clientOrderId === 'kb-404', 3_000);
    expect(cancel).toMatchObject({ kind: 'cancel-rejected', reason: 'EOrder:Invalid order' });
  });

  it('refuses to trade before connect()', () => {
    const client = new KrakenExecutionClient({ rest: {} as KrakenExecutionRest, instruments: new KrakenInstrumentProvider({} as never), url: 'ws://127.0.0.1:1/auth/v2' });
    cleanups.push(() => client.close());
    expect(() => client.submit(restingBuy('kb-1'))).toThrow(/submit before connect/);
  });

  it('after a dropped connection, reconciles and reports a fill that happened while it was down exactly once', async () => {
    const reconciled: string[] = [];
    const onFilled: string[] = [];
    // Counts what the client itself sends, before any deduplication a sink might do.
    const counting = (sink: RecordingSink): ExecutionReportSink => ({
      onAccepted: (report) => sink.onAccepted(report),
      onRejected: (report) => sink.onRejected(report),
      onFilled: (fill) => {
        onFilled.push(fill.tradeId);
        sink.onFilled(fill);
      },
      onCanceled: (report) => sink.onCanceled(report),
      onCancelRejected: (report) => sink.onCancelRejected(report),
      onExpired: (report) => sink.onExpired(report),
    });
    const { sim, client, sink } = await setUp(
      // No polling while down: the reconnect itself must bring the fill.
      { onReconciled: (summary) => reconciled.push(summary.reason), pollIntervalMs: 60_000, webSocket: { reconnectBaseDelayMs: 200, reconnectMaxDelayMs: 200, random: () => 0.99 } },
      counting,
    );
    client.submit(restingBuy('kb-1'));
    await sink.waitFor((report) => report.kind === 'accepted', 3_000);
    sim.dropConnections();
    // The fill happens while nobody is subscribed: no executions update carries it.
    for (let step = 0; step < 4; step++) sim.step();
    expect(sim.account(KEY).trades()).toHaveLength(1);
    await sink.waitFor((report) => report.kind === 'filled', 5_000);
    await eventually(() => reconciled.includes('reconnect'), 'the reconnect reconciliation');
    await settle(300);
    expect(onFilled).toEqual([sim.account(KEY).trades()[0]!.txid]);
  });
});
