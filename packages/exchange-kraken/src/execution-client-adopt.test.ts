import { Decimal, clientOrderId, instrumentId, type Order } from '@kbot/core';
import { RecordingSink, submitOrder } from '@kbot/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { KrakenExecutionClient, type KrakenExecutionClientOptions } from './execution-client.js';
import { KrakenInstrumentProvider } from './instrument-provider.js';
import { KEY, SCRIPT, SPEC_SECRET, eventually, startScriptedSimulator } from './kraken-test-harness.js';
import { scriptedBars } from './simulator/simulator-test-fixtures.js';
import { KrakenRestClient } from './rest/rest-client.js';
import type { KrakenTier } from './rest/rate-limiter.js';
import type { KrakenSimulator } from './simulator/kraken-simulator.js';

/*
 * A bot restarted after a crash hands its open orders to a new client (`adopt`) with the trade
 * ids its journal counted. The client must report what it has not counted, and nothing twice.
 */

const BTC = instrumentId('BTC/USD');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function client(
  sim: KrakenSimulator,
  overrides: Partial<Pick<KrakenExecutionClientOptions, 'unresolvedOrderGraceMs' | 'url' | 'connectTimeoutMs'>> = {},
  wrapRest: (rest: KrakenRestClient) => KrakenRestClient = (rest) => rest,
  tier: KrakenTier = 'starter',
): KrakenExecutionClient {
  const rest = wrapRest(new KrakenRestClient({ baseUrl: sim.restUrl, credentials: { apiKey: KEY, apiSecret: SPEC_SECRET }, tier, retryBaseDelayMs: 10, reconcileDelayMs: 10 }));
  const created = new KrakenExecutionClient({ rest, instruments: new KrakenInstrumentProvider(rest), url: sim.wsAuthUrl, retryDelayMs: 50, pollIntervalMs: 100, ...overrides });
  cleanups.push(() => created.close());
  return created;
}

/** The order as a recovered journal holds it. */
function journaled(fields: Partial<Order> & Pick<Order, 'clientOrderId' | 'status'>): Order {
  return {
    ...submitOrder({ clientOrderId: fields.clientOrderId, instrumentId: BTC, side: 'buy', type: 'limit', quantity: '0.002', price: '39600' }),
    venueOrderId: undefined,
    filledQuantity: new Decimal(0),
    averageFillPrice: undefined,
    fees: {},
    updatedAt: Date.now(),
    reason: undefined,
    ...fields,
  };
}

/**
 * A simulator whose account has the pro tier's REST counter (20 points, 1 a second): polls every
 * 100 ms, 5 points a reconciliation, would empty the starter's 15 in a few rounds.
 */
function proSimulator(): Promise<KrakenSimulator> {
  return startScriptedSimulator({ accounts: [{ key: KEY, secret: SPEC_SECRET, balances: { USD: '100000' }, tier: 'pro' }] });
}

/** The REST client with OpenOrders answering 400 ms late: a reconciliation outlasts several poll intervals. */
function slowOpenOrders(rest: KrakenRestClient): KrakenRestClient {
  return new Proxy(rest, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== 'openOrders' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        return (value as (...inner: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** A buy of 0.001 BTC at `price` placed by a client that then stops; the order as its journal holds it. */
async function placedBeforeRestart(sim: KrakenSimulator, price: string): Promise<Order> {
  const first = client(sim, {}, undefined, 'pro');
  const sink = new RecordingSink();
  await first.connect(sink);
  first.submit(submitOrder({ clientOrderId: 'kb-1', instrumentId: BTC, side: 'buy', type: 'limit', quantity: '0.001', price }));
  const accepted = await sink.waitFor((report) => report.kind === 'accepted', 3_000);
  await first.close();
  const venueOrderId = accepted.kind === 'accepted' ? accepted.venueOrderId : undefined;
  return journaled({ clientOrderId: clientOrderId('kb-1'), status: 'accepted', quantity: new Decimal('0.001'), price: new Decimal(price), venueOrderId });
}

/**
 * The restarted client, with nothing listening for its private socket: while connect() waits for
 * it, polls every 100 ms reconcile over a slow REST, so one is running when the wait ends.
 */
function restartedWithoutSocket(sim: KrakenSimulator): KrakenExecutionClient {
  return client(sim, { url: 'ws://127.0.0.1:1/auth/v2', connectTimeoutMs: 330 }, slowOpenOrders, 'pro');
}

describe('KrakenExecutionClient adopting orders after a restart', () => {
  it('reports the fills made while the bot was down, and not the ones its journal already counted', async () => {
    // A tiny volume share and a book whose ask stays far above the bid: the order fills in two
    // parts, on two trades of the falling bar, and the book never fills the rest at once.
    const sim = await startScriptedSimulator({
      market: { sources: [scriptedBars('BTC/USD', SCRIPT, undefined, 50)], historyBars: 10, spreadTicks: 20_000 },
      fillModel: { maxVolumeParticipation: 0.0001 },
    });
    const first = client(sim);
    const firstSink = new RecordingSink();
    await first.connect(firstSink);
    first.submit(submitOrder({ clientOrderId: 'kb-1', instrumentId: BTC, side: 'buy', type: 'limit', quantity: '0.002', price: '39600' }));
    await firstSink.waitFor((report) => report.kind === 'accepted', 3_000);
    for (let step = 0; step < 20 && sim.account(KEY).trades().length === 0; step++) sim.advance(15_000);
    await firstSink.waitFor((report) => report.kind === 'filled', 3_000);
    const counted = firstSink.fills.map((fill) => fill.tradeId);
    expect(counted).toHaveLength(1);
    // The process dies; the market goes on and fills the rest.
    await first.close();
    for (let step = 0; step < 8 && sim.account(KEY).trades().length < 2; step++) sim.advance(15_000);
    const trades = sim.account(KEY).trades();
    expect(trades).toHaveLength(2);

    const second = client(sim);
    const sink = new RecordingSink();
    const venueOrderId = trades[0]!.order.txid;
    second.adopt(journaled({ clientOrderId: clientOrderId('kb-1'), status: 'partially-filled', venueOrderId: venueOrderId as never, filledQuantity: firstSink.fills[0]!.quantity }), { tradeIds: counted });
    await second.connect(sink);
    await eventually(() => sink.fills.length > 0, 'the fill made while down');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.fills.map((fill) => fill.tradeId)).toEqual([trades[1]!.txid]);
    expect(sink.fills[0]!.quantity.plus(firstSink.fills[0]!.quantity).toFixed()).toBe('0.002');
    expect(sink.ofKind('canceled')).toEqual([]);
  });

  it('connect() returns only once the fills made while the bot was down are reported, when a poll is reconciling at that moment', async () => {
    const sim = await proSimulator();
    const order = await placedBeforeRestart(sim, '39600');
    // The process is down; the order fills.
    for (let step = 0; step < 8 && sim.account(KEY).trades().length === 0; step++) sim.step();
    expect(sim.account(KEY).trades()).toHaveLength(1);
    const second = restartedWithoutSocket(sim);
    const sink = new RecordingSink();
    second.adopt(order);
    await second.connect(sink);
    // What a restarted engine reconciles before its strategies start.
    expect(sink.fills.map((fill) => fill.tradeId)).toEqual([sim.account(KEY).trades()[0]!.txid]);
  });

  it('connect() returns while polls keep reconciling an order that rests unfilled', async () => {
    const sim = await proSimulator();
    const order = await placedBeforeRestart(sim, '30000');
    // Each poll finds the order still open and another one is asked for before it ends: the loop
    // never goes idle, and connect() waits for one round that started after its request, not for that.
    const second = restartedWithoutSocket(sim);
    second.adopt(order);
    const started = Date.now();
    await second.connect(new RecordingSink());
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(sim.account(KEY).openOrders()).toHaveLength(1);
  });

  it('finds an order whose acknowledgement was lost by its cl_ord_id, and rejects one that never arrived once its grace is over, without sending either again', async () => {
    const sim = await startScriptedSimulator();
    const first = client(sim);
    await first.connect(new RecordingSink());
    first.submit(submitOrder({ clientOrderId: 'kb-sent', instrumentId: BTC, side: 'buy', type: 'limit', quantity: '0.001', price: '39000' }));
    await eventually(() => sim.account(KEY).openOrders().length === 1, 'the order at the simulator');
    await first.close();

    const second = client(sim, { unresolvedOrderGraceMs: 1_000 });
    const sink = new RecordingSink();
    second.adopt(journaled({ clientOrderId: clientOrderId('kb-sent'), status: 'submitted' }));
    // Journaled as submitted 5 s ago, but the process died before it left: Kraken never saw it.
    second.adopt(journaled({ clientOrderId: clientOrderId('kb-lost'), status: 'submitted', updatedAt: Date.now() - 5_000 }));
    await second.connect(sink);
    await sink.waitFor((report) => report.kind === 'rejected', 3_000);
    expect(sink.ofKind('accepted').map((report) => [report.clientOrderId, report.venueOrderId])).toEqual([['kb-sent', sim.account(KEY).orders()[0]!.txid]]);
    expect(sink.ofKind('rejected').map((report) => report.clientOrderId)).toEqual(['kb-lost']);
    expect(sim.account(KEY).orders().map((order) => order.clOrdId)).toEqual(['kb-sent']);
  });
});
