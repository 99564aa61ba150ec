import { Decimal, clientOrderId, instrumentId, tradeId, venueOrderId, type VenueFill } from '@kbot/core';
import { RecordingSink } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { KrakenOrderTracker, isSettled, type TrackedOrder } from './order-tracker.js';
import type { KrakenOrderState } from './venue-state.js';
import { parseLosslessJson } from './ws/lossless-json.js';
import { parseExecutionsMessage } from './ws/parse-executions.js';

const BTC = instrumentId('BTC/USD');
const TXID = 'OABC12-DEF34-GHI567';

/** One executions message in Kraken's wire shape (spec §8.12), through the same parser the socket uses. */
function executions(type: 'snapshot' | 'update', sequence: number, ...entries: Record<string, unknown>[]) {
  return parseExecutionsMessage(parseLosslessJson(JSON.stringify({ channel: 'executions', type, sequence, data: entries })), 0);
}

const pendingNew = { exec_type: 'pending_new', order_id: TXID, cl_ord_id: 'kb-1', symbol: 'BTC/USD', side: 'buy', order_type: 'limit', order_qty: 0.5, limit_price: 33000, time_in_force: 'GTC', order_status: 'pending_new', cum_cost: 0, timestamp: '2026-06-06T10:00:00Z' };
const accepted = { exec_type: 'new', order_id: TXID, order_status: 'new', timestamp: '2026-06-06T10:00:01Z' };
function trade(execId: string, qty: number, cumQty: number, extra: Record<string, unknown> = {}) {
  return {
    exec_type: 'trade', order_id: TXID, exec_id: execId, trade_id: 1234567, symbol: 'BTC/USD', side: 'buy', last_qty: qty, last_price: 33000, cost: qty * 33000,
    liquidity_ind: 'm', fees: [{ asset: 'USD', qty: 0.00825 }], cum_qty: cumQty, cum_cost: cumQty * 33000, avg_price: 33000, order_status: 'partially_filled',
    timestamp: '2026-06-06T10:05:00Z', ...extra,
  };
}

function setUp() {
  const sink = new RecordingSink();
  const tracker = new KrakenOrderTracker({ now: () => 1_000_000 });
  tracker.setSink(sink);
  const order = tracker.track({ clientOrderId: clientOrderId('kb-1'), krakenClientOrderId: 'kb-1', instrumentId: BTC, side: 'buy', quantity: new Decimal('0.5'), quoteAsset: 'USD', venueSince: 0 });
  return { sink, tracker, order };
}

const kinds = (sink: RecordingSink) => sink.reports.map((report) => report.kind);

describe('KrakenOrderTracker: executions → order reports', () => {
  it('maps pending_new → new → two trades → filled to one acceptance and two exact fills', () => {
    const { sink, tracker, order } = setUp();
    tracker.onExecutions(executions('update', 1, pendingNew));
    expect(sink.reports).toEqual([]); // validated, not yet live
    tracker.onExecutions(executions('update', 2, accepted));
    tracker.onExecutions(executions('update', 3, trade('TBQGLU-646YF-3L6UC6', 0.2, 0.2)));
    // The last fill's order_status is partially_filled too (spec §8.12); completion comes separately.
    tracker.onExecutions(executions('update', 4, trade('TQ2VRX-UZN2T-4GRHVB', 0.3, 0.5)));
    tracker.onExecutions(executions('update', 5, { exec_type: 'filled', order_id: TXID, order_status: 'filled', cum_qty: 0.5, timestamp: '2026-06-06T10:05:00Z' }));
    expect(kinds(sink)).toEqual(['accepted', 'filled', 'filled']);
    expect(sink.reports[0]).toMatchObject({ clientOrderId: 'kb-1', venueOrderId: TXID, time: Date.parse('2026-06-06T10:00:01Z') });
    const [first, second] = sink.fills;
    expect(first).toMatchObject({ tradeId: 'TBQGLU-646YF-3L6UC6', clientOrderId: 'kb-1', venueOrderId: TXID, instrumentId: BTC, side: 'buy', feeAsset: 'USD', liquidity: 'maker', time: Date.parse('2026-06-06T10:05:00Z') });
    expect([first!.quantity, first!.price, first!.fee].map((value) => value.toFixed())).toEqual(['0.2', '33000', '0.00825']);
    expect(second!.quantity.toFixed()).toBe('0.3');
    expect(isSettled(order)).toBe(true);
  });

  it('reports a fill seen twice (update, then the snap_trades snapshot after a reconnect) once, under its exec_id', () => {
    const { sink, tracker } = setUp();
    tracker.onExecutions(executions('update', 1, pendingNew, accepted));
    tracker.onExecutions(executions('update', 2, trade('TBQGLU-646YF-3L6UC6', 0.2, 0.2)));
    tracker.onExecutions(executions('snapshot', 1, { ...accepted, order_status: 'partially_filled', cum_qty: 0.2 }, trade('TBQGLU-646YF-3L6UC6', 0.2, 0.2, { order_status: 'filled' })));
    expect(kinds(sink)).toEqual(['accepted', 'filled']);
    expect(sink.fills.map((fill) => fill.tradeId)).toEqual(['TBQGLU-646YF-3L6UC6']);
  });

  it('reports the acceptance before a fill that overtakes it, and the add_order reply after it adds nothing', () => {
    const { sink, tracker, order } = setUp();
    tracker.onExecutions(executions('update', 1, { ...trade('TBQGLU-646YF-3L6UC6', 0.5, 0.5), cl_ord_id: 'kb-1' }));
    tracker.accepted(order, TXID, 5);
    tracker.onExecutions(executions('update', 2, accepted));
    expect(kinds(sink)).toEqual(['accepted', 'filled']);
  });

  it('maps a partial fill then a cancel to a fill and one canceled report with Kraken\'s reason', () => {
    const { sink, tracker, order } = setUp();
    tracker.onExecutions(executions('update', 1, pendingNew, accepted));
    tracker.onExecutions(executions('update', 2, trade('TBQGLU-646YF-3L6UC6', 0.1, 0.1)));
    tracker.onExecutions(executions('update', 3, { exec_type: 'canceled', order_id: TXID, order_status: 'canceled', cum_qty: 0.1, reason: 'User requested', timestamp: '2026-06-06T10:06:00Z' }));
    tracker.canceled(order, 9, 'canceled on request'); // the cancel_order reply, after the channel's report
    expect(kinds(sink)).toEqual(['accepted', 'filled', 'canceled']);
    expect(sink.reports[2]).toMatchObject({ reason: 'User requested', time: Date.parse('2026-06-06T10:06:00Z') });
    expect(isSettled(order)).toBe(true);
  });

  it('maps expired, and ignores amended and unknown execution types', () => {
    const { sink, tracker } = setUp();
    tracker.onExecutions(executions('update', 1, pendingNew, accepted, { exec_type: 'amended', order_id: TXID, order_qty: 0.4, timestamp: '2026-06-06T10:01:00Z' }, { exec_type: 'teleported', order_id: TXID }));
    tracker.onExecutions(executions('update', 2, { exec_type: 'expired', order_id: TXID, order_status: 'expired', timestamp: '2026-06-06T11:00:00Z' }));
    expect(kinds(sink)).toEqual(['accepted', 'expired']);
  });

  it('maps Kraken fee asset codes to kbot names and an absent liquidity flag to taker', () => {
    const { sink, tracker } = setUp();
    tracker.onExecutions(executions('update', 1, pendingNew, accepted, trade('TFEE01-AAAAA-BBBBBB', 0.5, 0.5, { fees: [{ asset: 'XBT', qty: 0.00000125 }], liquidity_ind: undefined })));
    expect(sink.fills[0]).toMatchObject({ feeAsset: 'BTC', liquidity: 'taker' });
    expect(sink.fills[0]!.fee.toFixed()).toBe('0.00000125');
  });

  it('cannot place a report that names only a txid it has not learned yet (no pending_new, no reply)', () => {
    const { sink, tracker } = setUp();
    tracker.onExecutions(executions('update', 1, accepted));
    expect(sink.reports).toEqual([]);
  });

  it('ignores orders it does not track, including a reused cl_ord_id on another txid', () => {
    const { sink, tracker, order } = setUp();
    tracker.accepted(order, TXID, 1);
    tracker.onExecutions(executions('update', 1, { ...pendingNew, order_id: 'OOTHER-RUN00-000001' }, { ...trade('TOLD00-RUN00-000001', 0.5, 0.5), order_id: 'OOTHER-RUN00-000001', cl_ord_id: 'kb-1' }));
    tracker.onExecutions(executions('update', 2, { ...accepted, order_id: 'OMANUAL-00000-000001' }));
    expect(kinds(sink)).toEqual(['accepted']);
    expect(sink.fills).toEqual([]);
  });

  it('says when Kraken reports more executed volume than the fills seen', () => {
    const { tracker } = setUp();
    expect(tracker.onExecutions(executions('update', 1, pendingNew, accepted)).missingFills).toBe(false);
    // The first trade message was lost: the second carries cum_qty 0.5 after a fill of 0.3.
    expect(tracker.onExecutions(executions('update', 3, trade('TQ2VRX-UZN2T-4GRHVB', 0.3, 0.5))).missingFills).toBe(true);
  });
});

describe('KrakenOrderTracker: reconciliation', () => {
  const state = (overrides: Partial<KrakenOrderState> = {}): KrakenOrderState => ({
    clientOrderId: clientOrderId('kb-1'),
    venueOrderId: venueOrderId(TXID),
    status: 'accepted',
    filledQuantity: new Decimal(0),
    krakenClientOrderId: 'kb-1',
    instrumentId: BTC,
    side: 'buy',
    quantity: new Decimal('0.5'),
    openedAt: 100,
    feesInBase: false,
    reason: undefined,
    ...overrides,
  });
  const restFill = (id: string, quantity: string, time: number): VenueFill => ({
    tradeId: tradeId(id),
    clientOrderId: clientOrderId('kb-1'),
    venueOrderId: venueOrderId(TXID),
    instrumentId: BTC,
    side: 'buy',
    quantity: new Decimal(quantity),
    price: new Decimal('33000'),
    fee: new Decimal('0.01'),
    feeAsset: 'USD',
    liquidity: 'maker',
    time,
  });

  it('replays what was missed while disconnected: acceptance, fills in time order, then the cancel', () => {
    const { sink, tracker, order } = setUp();
    const outcome = tracker.applyReconcile([state({ status: 'canceled', filledQuantity: new Decimal('0.3'), reason: 'User requested' })], [restFill('T2', '0.1', 20), restFill('T1', '0.2', 10)], { unresolvedGraceMs: 30_000 });
    expect(outcome.missingFills).toBe(false);
    expect(kinds(sink)).toEqual(['accepted', 'filled', 'filled', 'canceled']);
    expect(sink.fills.map((fill) => fill.tradeId)).toEqual(['T1', 'T2']);
    expect(isSettled(order)).toBe(true);
  });

  it('counts a fill that came on both paths once: the executions channel and TradesHistory share the trade id', () => {
    const { sink, tracker } = setUp();
    tracker.onExecutions(executions('update', 1, pendingNew, accepted, trade('TBQGLU-646YF-3L6UC6', 0.2, 0.2)));
    tracker.applyReconcile([state({ status: 'partially-filled', filledQuantity: new Decimal('0.2') })], [restFill('TBQGLU-646YF-3L6UC6', '0.2', 10)], { unresolvedGraceMs: 30_000 });
    expect(sink.fills).toHaveLength(1);
  });

  it('finds an order whose reply was lost by its cl_ord_id, and flags fills still missing', () => {
    const { sink, tracker, order } = setUp();
    order.unresolvedSince = 0;
    const outcome = tracker.applyReconcile([state({ status: 'filled', filledQuantity: new Decimal('0.5') })], [restFill('T1', '0.2', 10)], { unresolvedGraceMs: 30_000 });
    expect(order.venueOrderId).toBe(TXID);
    expect(kinds(sink)).toEqual(['accepted', 'filled']);
    expect(outcome.missingFills).toBe(true);
    expect(isSettled(order)).toBe(false);
  });

  it('rejects an order whose outcome was unknown only once Kraken still lacks it after the grace period', () => {
    const { sink, tracker, order } = setUp();
    order.unresolvedSince = 1_000_000 - 10_000;
    tracker.applyReconcile([], [], { unresolvedGraceMs: 30_000 });
    expect(sink.reports).toEqual([]);
    order.unresolvedSince = 1_000_000 - 30_000;
    tracker.applyReconcile([], [], { unresolvedGraceMs: 30_000 });
    expect(kinds(sink)).toEqual(['rejected']);
    expect(sink.reports[0]).toMatchObject({ reason: expect.stringContaining('cl_ord_id kb-1') });
  });

  it('does not report a rejection for an order Kraken already accepted', () => {
    const { sink, tracker, order } = setUp();
    tracker.accepted(order, TXID, 1);
    tracker.rejected(order, 'EOrder:Insufficient funds', 2);
    expect(kinds(sink)).toEqual(['accepted']);
  });

  it('takes the newest order when a cl_ord_id was reused by an older closed order', () => {
    const { tracker, order } = setUp();
    tracker.applyReconcile(
      [state({ venueOrderId: venueOrderId('OOLD000-00000-00000'), status: 'filled', openedAt: 1, filledQuantity: new Decimal('1') }), state({ openedAt: 50 })],
      [],
      { unresolvedGraceMs: 30_000 },
    );
    expect((order as TrackedOrder).venueOrderId).toBe(TXID);
  });
});

describe('KrakenOrderTracker: retention of settled orders', () => {
  const HOUR = 3_600_000;

  /** Places, accepts and fully fills order `n` through the executions channel at wall time `now.value`. */
  function tradeOrder(tracker: KrakenOrderTracker, n: number) {
    const txid = `O${String(n).padStart(5, '0')}-AAAAA-BBBBBB`;
    const order = tracker.track({ clientOrderId: clientOrderId(`kb-${n}`), krakenClientOrderId: `kb-${n}`, instrumentId: BTC, side: 'buy', quantity: new Decimal('0.5'), quoteAsset: 'USD', venueSince: 0 });
    tracker.onExecutions(executions('update', 2 * n, { ...pendingNew, order_id: txid, cl_ord_id: `kb-${n}` }, { ...accepted, order_id: txid }));
    tracker.onExecutions(executions('update', 2 * n + 1, { ...trade(`T${n}`, 0.5, 0.5), order_id: txid }));
    return { order, txid };
  }

  it('drops orders settled longer ago than retainSettledMs with their trade ids, keeps recent and unsettled ones, and still counts a repeated fill of a recent one once', () => {
    const now = { value: 0 };
    const sink = new RecordingSink();
    const tracker = new KrakenOrderTracker({ now: () => now.value, retainSettledMs: 24 * HOUR });
    tracker.setSink(sink);
    // One filled order a minute for two days, plus one order that rests unfilled the whole time.
    const resting = tracker.track({ clientOrderId: clientOrderId('kb-resting'), krakenClientOrderId: 'kb-resting', instrumentId: BTC, side: 'buy', quantity: new Decimal('1'), quoteAsset: 'USD', venueSince: 0 });
    let last = { order: resting, txid: '' };
    for (let n = 1; n <= 2 * 24 * 60; n++) {
      now.value = n * 60_000;
      last = tradeOrder(tracker, n);
    }
    expect(sink.fills).toHaveLength(2 * 24 * 60);
    // About one day of settled orders, plus the resting one.
    expect(tracker.size).toBeGreaterThanOrEqual(24 * 60);
    expect(tracker.size).toBeLessThanOrEqual(24 * 60 + 2);
    expect(tracker.get(clientOrderId('kb-1'))).toBeUndefined();
    expect(tracker.hasSeenTrade('T1')).toBe(false);
    expect(tracker.get(clientOrderId('kb-resting'))).toBe(resting);
    expect(tracker.unfinished()).toEqual([resting]);
    // Kraken repeats the last fill after a reconnect (snap_trades): still one fill.
    tracker.onExecutions(executions('snapshot', 1, { ...trade(`T${2 * 24 * 60}`, 0.5, 0.5), order_id: last.txid }));
    expect(sink.fills).toHaveLength(2 * 24 * 60);
    expect(tracker.byVenueOrderId(last.txid)).toBe(last.order);
  });

  it('keeps everything with a long enough retention, and refuses a negative one', () => {
    const now = { value: 0 };
    const tracker = new KrakenOrderTracker({ now: () => now.value, retainSettledMs: 7 * 24 * HOUR });
    tracker.setSink(new RecordingSink());
    for (let n = 1; n <= 600; n++) {
      now.value = n * 60_000;
      tradeOrder(tracker, n);
    }
    expect(tracker.size).toBe(600);
    expect(tracker.hasSeenTrade('T1')).toBe(true);
    expect(() => new KrakenOrderTracker({ retainSettledMs: -1 })).toThrow(/retainSettledMs: received -1, expected a number of milliseconds, 0 or more/);
  });
});
