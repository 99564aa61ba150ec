import { Decimal, instrumentId, type UntrackedOrder } from '@kbot/core';
import { RecordingLogger, RecordingSink, submitOrder, type RecordedLogLine } from '@kbot/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { KrakenExecutionClient } from './execution-client.js';
import { KrakenInstrumentProvider } from './instrument-provider.js';
import { KEY, SPEC_SECRET, eventually, startScriptedSimulator } from './kraken-test-harness.js';
import { KrakenRestClient } from './rest/rest-client.js';
import type { KrakenSimulator } from './simulator/kraken-simulator.js';
import { UntrackedOrderWatch } from './untracked-orders.js';
import type { KrakenOrderState } from './venue-state.js';
import type { KrakenExecutionReport } from './ws/parse-executions.js';

/*
 * Open orders on the account that the bot does not track (placed by hand, by another process with
 * the same key, or before the journal was reset) are reported once and left alone.
 */

const BTC = instrumentId('BTC/USD');

const untrackedWarnings = (lines: readonly RecordedLogLine[]) => lines.filter((line) => line.level === 'warn' && line.message.startsWith('Kraken has an open order this bot does not track'));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function restOf(sim: KrakenSimulator): KrakenRestClient {
  return new KrakenRestClient({ baseUrl: sim.restUrl, credentials: { apiKey: KEY, apiSecret: SPEC_SECRET }, retryBaseDelayMs: 10, reconcileDelayMs: 10 });
}

describe('KrakenExecutionClient and open orders it does not track', () => {
  it('warns once about an order placed by someone else, lists it while open, leaves it alone, and drops it once canceled', async () => {
    const sim = await startScriptedSimulator();
    cleanups.push(() => sim.stop());
    // Another process with the same key places an order before the bot connects.
    const other = restOf(sim);
    const placed = await other.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'limit', price: '39500', volume: '0.01', cl_ord_id: 'by-hand-1' });
    const foreignTxid = placed.txid![0]!;

    const logger = new RecordingLogger();
    const lines = logger.lines;
    const reported: UntrackedOrder[] = [];
    let opens = 0;
    const rest = restOf(sim);
    const client = new KrakenExecutionClient({
      rest,
      instruments: new KrakenInstrumentProvider(rest),
      url: sim.wsAuthUrl,
      logger,
      onUntrackedOrder: (order) => reported.push(order),
      onConnectionState: (state) => {
        if (state === 'open') opens++;
      },
      retryDelayMs: 50,
      pollIntervalMs: 100,
      webSocket: { reconnectBaseDelayMs: 20, reconnectMaxDelayMs: 50, random: () => 0.5 },
    });
    cleanups.push(() => client.close());
    const sink = new RecordingSink();
    await client.connect(sink);

    await eventually(() => client.untrackedOrders().length === 1, 'the order placed by another process, from the executions snapshot');
    const [found] = client.untrackedOrders();
    expect(found).toMatchObject({ venueOrderId: foreignTxid, venueClientOrderId: 'by-hand-1', instrumentId: BTC, side: 'buy' });
    expect(found!.quantity?.equals(new Decimal('0.01'))).toBe(true);
    expect(found!.limitPrice?.equals(new Decimal('39500'))).toBe(true);
    expect(reported.map((order) => order.venueOrderId)).toEqual([foreignTxid]);
    expect(untrackedWarnings(lines)).toHaveLength(1);
    expect(untrackedWarnings(lines)[0]!.fields).toMatchObject({ venueOrderId: foreignTxid, clientOrderId: 'by-hand-1', instrumentId: BTC, side: 'buy', quantity: '0.01', limitPrice: '39500' });

    // The bot's own order is tracked, so never reported, and nothing reaches the sink for the other one.
    client.submit(submitOrder({ clientOrderId: 'kb-own-1', instrumentId: BTC, side: 'buy', type: 'limit', quantity: '0.001', price: '39400' }));
    await sink.waitFor((report) => report.kind === 'accepted', 3_000);
    expect(sink.reports.every((report) => !('venueOrderId' in report) || report.venueOrderId !== foreignTxid)).toBe(true);

    // A new connection sends a new snapshot with both orders: no second warning.
    sim.dropConnections();
    await eventually(() => opens === 2 && client.connectionState === 'open', 'the private socket to reopen');
    // The reconnect's reconciliation and the new snapshot have come in.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(untrackedWarnings(lines)).toHaveLength(1);
    expect(reported).toHaveLength(1);
    // Still open on Kraken: the client neither canceled nor touched it.
    expect(Object.keys((await other.openOrders()).open ?? {})).toContain(foreignTxid);

    // One placed while the bot runs is found from the executions updates, without a reconnect.
    const later = (await other.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'limit', price: '30000', volume: '0.002', cl_ord_id: 'by-hand-2' })).txid![0]!;
    await eventually(() => client.untrackedOrders().length === 2, 'the order placed while the bot runs, from the executions updates');
    expect(client.untrackedOrders()[1]).toMatchObject({ venueOrderId: later, venueClientOrderId: 'by-hand-2', instrumentId: BTC, side: 'buy' });
    expect(reported.map((order) => order.venueOrderId)).toEqual([foreignTxid, later]);
    await other.cancelOrder({ txid: later });

    // Its owner cancels it: the executions update takes it off the list.
    await other.cancelOrder({ txid: foreignTxid });
    await eventually(() => client.untrackedOrders().length === 0, 'the canceled orders to leave the list');
    expect(lines.some((line) => line.level === 'info' && line.message === 'an untracked Kraken order is no longer open' && line.fields?.venueOrderId === foreignTxid)).toBe(true);
  });
});

describe('UntrackedOrderWatch', () => {
  const at = 1_700_000_000_000;
  const report = (fields: Partial<KrakenExecutionReport>): KrakenExecutionReport => ({
    execType: 'new',
    venueExecType: 'new',
    orderId: 'OAAAAA-BBBBB-CCCCCC',
    clientOrderId: undefined,
    orderUserref: undefined,
    symbol: 'BTC/USD',
    instrumentId: BTC,
    side: 'sell',
    orderType: 'limit',
    orderStatus: 'new',
    orderQuantity: new Decimal('0.5'),
    limitPrice: new Decimal('41000'),
    timeInForce: 'gtc',
    postOnly: undefined,
    reduceOnly: undefined,
    cumulativeQuantity: undefined,
    cumulativeCost: undefined,
    averagePrice: undefined,
    feeUsdEquivalent: undefined,
    fill: undefined,
    reason: undefined,
    time: at,
    ...fields,
  });
  const restOrder = (fields: Partial<KrakenOrderState>): KrakenOrderState =>
    ({
      clientOrderId: 'x',
      venueOrderId: 'ODDDDD-EEEEE-FFFFFF',
      status: 'accepted',
      filledQuantity: new Decimal(0),
      krakenClientOrderId: undefined,
      instrumentId: BTC,
      side: 'buy',
      quantity: new Decimal('1'),
      openedAt: at,
      feesInBase: false,
      reason: undefined,
      ...fields,
    }) as KrakenOrderState;
  const watch = (lines: RecordedLogLine[] = []) => new UntrackedOrderWatch({ logger: new RecordingLogger(lines), now: () => at });

  it('takes open orders from a snapshot, never a tracked one', () => {
    const lines: RecordedLogLine[] = [];
    const subject = watch(lines);
    subject.onExecutions(
      'snapshot',
      [
        report({ orderId: 'O-OPEN' }),
        report({ orderId: 'O-PARTIAL', orderStatus: 'partially_filled' }),
        report({ orderId: 'O-TRACKED', clientOrderId: 'kb-1' }),
        // A snapshot fill (snap_trades) of a finished order is not an open order.
        report({ orderId: 'O-DONE', execType: 'trade', orderStatus: 'filled' }),
        report({ orderId: 'O-NO-STATUS', orderStatus: undefined }),
      ],
      (txid, clientId) => txid === 'O-TRACKED' || clientId === 'kb-1',
    );
    expect(subject.list().map((order) => order.venueOrderId)).toEqual(['O-OPEN', 'O-PARTIAL']);
    expect(untrackedWarnings(lines)).toHaveLength(2);
  });

  it('takes an order placed elsewhere from updates when it goes live, with the fields its pending_new carried', () => {
    const lines: RecordedLogLine[] = [];
    const subject = watch(lines);
    // Kraken's `new` update carries the id and status only.
    const sparse = { instrumentId: undefined, side: undefined, orderQuantity: undefined, limitPrice: undefined, symbol: undefined };
    subject.onExecutions('update', [report({ orderId: 'O-ELSEWHERE', execType: 'pending_new', orderStatus: 'pending_new', clientOrderId: 'other-7' })], () => false);
    expect(subject.list()).toEqual([]);
    subject.onExecutions('update', [report({ orderId: 'O-ELSEWHERE', execType: 'new', orderStatus: 'new', ...sparse })], () => false);
    expect(subject.list()).toEqual([expect.objectContaining({ venueOrderId: 'O-ELSEWHERE', venueClientOrderId: 'other-7', instrumentId: BTC, side: 'sell', limitPrice: new Decimal('41000') })]);
    // Without its pending_new (sent before this client connected): found, with what `new` says.
    subject.onExecutions('update', [report({ orderId: 'O-SPARSE', execType: 'new', orderStatus: 'new', ...sparse })], () => false);
    expect(subject.list()[1]).toMatchObject({ venueOrderId: 'O-SPARSE', instrumentId: undefined, quantity: undefined });
    // The bot's own orders never, whatever comes first; other updates of others' orders add nothing.
    subject.onExecutions('update', [report({ orderId: 'O-MINE', execType: 'pending_new', clientOrderId: 'kb-1' }), report({ orderId: 'O-MINE', execType: 'new', clientOrderId: 'kb-1' })], (_txid, clientId) => clientId === 'kb-1');
    subject.onExecutions('update', [report({ orderId: 'O-OTHER', execType: 'trade', orderStatus: 'partially_filled' })], () => false);
    expect(subject.list().map((order) => order.venueOrderId)).toEqual(['O-ELSEWHERE', 'O-SPARSE']);
    expect(untrackedWarnings(lines)).toHaveLength(2);
  });

  it("follows an untracked order's fills, from updates and reconciliations, quietly", () => {
    const lines: RecordedLogLine[] = [];
    const subject = watch(lines);
    subject.onExecutions('snapshot', [report({ orderId: 'O-1', cumulativeQuantity: new Decimal(0) })], () => false);
    const listed = subject.list();
    expect(listed[0]!.filledQuantity?.toFixed()).toBe('0');
    subject.onExecutions('update', [report({ orderId: 'O-1', execType: 'trade', orderStatus: 'partially_filled', cumulativeQuantity: new Decimal('0.2') })], () => false);
    expect(subject.list()[0]!.filledQuantity?.toFixed()).toBe('0.2');
    // A new array when it changed (the engine reads the list on every balance view).
    expect(subject.list()).not.toBe(listed);
    subject.onReconcile([restOrder({ venueOrderId: 'O-1' as never, status: 'partially-filled', filledQuantity: new Decimal('0.3') })], () => false);
    expect(subject.list()[0]!.filledQuantity?.toFixed()).toBe('0.3');
    // The same again changes nothing, and fills are not warnings.
    const same = subject.list();
    subject.onReconcile([restOrder({ venueOrderId: 'O-1' as never, status: 'partially-filled', filledQuantity: new Decimal('0.3') })], () => false);
    expect(subject.list()).toBe(same);
    expect(untrackedWarnings(lines)).toHaveLength(1);
  });

  it('drops an order when an update or a reconciliation shows it closed', () => {
    const subject = watch();
    subject.onExecutions('snapshot', [report({ orderId: 'O-1' }), report({ orderId: 'O-2' }), report({ orderId: 'O-3' })], () => false);
    subject.onExecutions('update', [report({ orderId: 'O-1', execType: 'canceled', orderStatus: 'canceled' })], () => false);
    // A fill that leaves it partially filled keeps it; the one that completes it ends it.
    subject.onExecutions('update', [report({ orderId: 'O-2', execType: 'trade', orderStatus: 'partially_filled' })], () => false);
    expect(subject.list().map((order) => order.venueOrderId)).toEqual(['O-2', 'O-3']);
    subject.onExecutions('update', [report({ orderId: 'O-2', execType: 'filled', orderStatus: 'filled' })], () => false);
    subject.onReconcile([restOrder({ venueOrderId: 'O-3' as never, status: 'expired' })], () => false);
    expect(subject.list()).toEqual([]);
  });

  it('takes open orders from a reconciliation once, without a price (REST does not give one here)', () => {
    const lines: RecordedLogLine[] = [];
    const subject = watch(lines);
    const orders = [
      restOrder({ venueOrderId: 'O-REST' as never, krakenClientOrderId: 'other-bot-7' }),
      restOrder({ venueOrderId: 'O-PENDING' as never, status: 'submitted' }),
      restOrder({ venueOrderId: 'O-CLOSED' as never, status: 'filled' }),
      restOrder({ venueOrderId: 'O-MINE' as never, krakenClientOrderId: 'kb-9' }),
    ];
    subject.onReconcile(orders, (_txid, clientId) => clientId === 'kb-9');
    subject.onReconcile(orders, (_txid, clientId) => clientId === 'kb-9');
    expect(subject.list().map((order) => [order.venueOrderId, order.venueClientOrderId, order.limitPrice])).toEqual([
      ['O-REST', 'other-bot-7', undefined],
      ['O-PENDING', undefined, undefined],
    ]);
    expect(untrackedWarnings(lines)).toHaveLength(2);
  });
});
