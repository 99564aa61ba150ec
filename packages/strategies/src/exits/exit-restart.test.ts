import { instrumentId, isoTime, type Bar, type OrderEvent, type Strategy, type StrategyContext, type StrategyStateChanged } from '@kbot/core';
import { bar, TEST_START_TIME } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { describeOrders, startPaperSession, type PaperSession } from '../strategies/paper-session-test-kit.js';
import { breakEven } from './break-even.js';
import { ExitManager } from './exit-manager.js';
import type { ExitRule } from './exit-rules.js';
import { stopLoss } from './stop-loss.js';
import { takeProfitLadder } from './take-profit-ladder.js';
import { trailingStop } from './trailing-stop.js';

const MINUTE = 60_000;
const KEY = 'exits:BTC/USD';
const HIGH = 'exits:BTC/USD:high';

interface Params {
  readonly rules: readonly ExitRule[];
}

/**
 * Buys 0.2 BTC at the close of bar 0 (so a restarted instance does not buy again) and leaves the
 * rest to the exits, with its context: after a restart they take the position over. Notes the
 * exits' stop after every bar. (0.2 BTC keeps the traded volume under Kraken's first fee tier: a
 * restarted simulated venue starts without the 30-day volume, and would otherwise charge more.)
 */
class BuyOnceAndHarvest implements Strategy<Params> {
  exits!: ExitManager;
  readonly stops: string[] = [];

  subscriptions() {
    return [{ instrumentId: instrumentId('BTC/USD'), kind: 'bars' as const, interval: MINUTE }];
  }

  onStart(ctx: StrategyContext<Params>): void {
    this.exits = new ExitManager({ instrument: ctx.market.instrument('BTC/USD'), rules: ctx.params.rules, context: ctx });
  }

  onBar(current: Bar, ctx: StrategyContext<Params>): void {
    this.exits.apply(this.exits.onBar(current, ctx.portfolio.position('BTC/USD')), ctx.orders);
    if (current.openTime === TEST_START_TIME) ctx.orders.submit({ instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.2', tag: 'entry' });
    this.stops.push(`${isoTime(current.openTime)} ${this.exits.stopPrice === undefined ? 'no stop' : `stop ${this.exits.stopPrice.toFixed(2)} (${this.exits.stopReason})`}`);
  }

  onOrderEvent(event: OrderEvent, ctx: StrategyContext<Params>): void {
    this.exits.apply(this.exits.onOrderEvent(event), ctx.orders);
  }
}

function bars(ohlc: ReadonlyArray<readonly [number, number, number, number]>): Bar[] {
  return ohlc.map(([open, high, low, close], index) => bar({ openTime: TEST_START_TIME + index * MINUTE, open, high, low, close, volume: 50 }));
}

interface Outcome {
  readonly orders: readonly string[];
  /** The exits' stop after each bar from the restart on. */
  readonly stopsAfter: readonly string[];
  readonly usd: string;
  readonly btc: string;
  readonly session: PaperSession;
}

/** One session over all the bars. */
async function withoutRestart(rules: readonly ExitRule[], all: readonly Bar[], restartAt: number): Promise<Outcome> {
  const strategy = new BuyOnceAndHarvest();
  const session = await startPaperSession(strategy, { rules }, all[0]!.openTime);
  session.feed(all);
  await session.stop();
  return { orders: describeOrders(session.orders()), stopsAfter: strategy.stops.slice(restartAt), usd: session.balance('USD'), btc: session.balance('BTC'), session };
}

/** A session killed after bar `restartAt − 1` (no stop, no snapshot), and a new one recovered from its journal. */
async function withRestart(rules: readonly ExitRule[], all: readonly Bar[], restartAt: number): Promise<Outcome & { readonly before: PaperSession; readonly killedAtSequence: number }> {
  const before = await startPaperSession(new BuyOnceAndHarvest(), { rules }, all[0]!.openTime);
  before.feed(all.slice(0, restartAt));
  const killedAtSequence = before.store.events().at(-1)!.sequence;
  const strategy = new BuyOnceAndHarvest();
  const session = await startPaperSession(strategy, { rules }, all[restartAt]!.openTime, undefined, before.store);
  session.feed(all.slice(restartAt));
  await session.stop();
  return { orders: describeOrders(session.orders()), stopsAfter: strategy.stops, usd: session.balance('USD'), btc: session.balance('BTC'), session, before, killedAtSequence };
}

function stateChanges(session: PaperSession): StrategyStateChanged[] {
  return session.store.events().filter((event): event is StrategyStateChanged => event.type === 'strategy-state-changed');
}

/** `00:02 exits:BTC/USD kept`: one line per change, at the time of the bar (or fill) that made it. */
function describeChanges(changes: readonly StrategyStateChanged[]): string[] {
  return changes.map((event) => `${isoTime(event.time).slice(11, 16)} ${event.key} ${event.value === undefined ? 'deleted' : 'kept'}`);
}

describe('ExitManager after a restart: the progress kept in ctx.state', () => {
  // Entry 20,000 (bought at bar 0's close, filled at bar 1's open). Taker fee 0.40%: break-even 20,160.64.
  const rules = [stopLoss({ percent: 3 }), breakEven({ atPercent: 1 }), trailingStop({ percent: 2 }), takeProfitLadder([{ atPercent: 1, sellFraction: 0.5 }, { atPercent: 5, sellFraction: 0.5 }])];
  const climb = bars([
    [20_000, 20_000, 20_000, 20_000],
    [20_000, 20_100, 19_950, 20_050], // entry fills at the open
    [20_050, 20_300, 20_040, 20_250], // close +1.25%: ladder step 1 sells half, break-even arms
    [20_260, 20_900, 20_250, 20_850], // high 20,900: trailing 20,482
    [20_850, 20_880, 20_600, 20_700],
    // The restart comes here. Without the progress: step 1 would sell again (close ≥ +1%), and the
    // trail would follow 20,750 (20,335) instead of 20,900 (20,482).
    [20_700, 20_750, 20_550, 20_600],
    [20_600, 20_620, 20_400, 20_450], // close under 20,482: the trailing stop sells the rest
    [20_440, 20_460, 20_400, 20_420],
  ]);
  const restartAt = 5;

  it('ladder step taken, break-even armed, trailing high: the exits after a kill and restart are those of a run without one', async () => {
    const once = await withoutRestart(rules, climb, restartAt);
    expect(once.orders).toEqual([
      '2024-01-01T00:01:00.000Z buy market 0.2 (entry) → filled at 20000',
      '2024-01-01T00:03:00.000Z sell market 0.1 (exit: take-profit 50%) → filled at 20260',
      '2024-01-01T00:07:00.000Z sell market 0.1 (exit: trailing-stop) → filled at 20440',
    ]);
    const twice = await withRestart(rules, climb, restartAt);
    expect(twice.orders).toEqual(once.orders);
    expect(twice.stopsAfter).toEqual(once.stopsAfter);
    expect(twice.stopsAfter[0]).toBe('2024-01-01T00:05:00.000Z stop 20482.00 (trailing-stop)');
    expect([twice.usd, twice.btc]).toEqual([once.usd, once.btc]);
  });

  it('the restarted exits go on from the record the killed session kept: their take-over changes nothing in it', async () => {
    const twice = await withRestart(rules, climb, restartAt);
    // What the killed session kept: the largest size, the share sold, and per rule: nothing, break-even
    // armed, the trailing stop active, steps taken; apart, the highest high its level follows from.
    expect(twice.before.engine.strategyState('under-test', KEY)).toMatchObject({ openedAt: TEST_START_TIME + MINUTE, entry: '20000', peak: '0.2', sold: 0.5, progress: [null, true, true, 1] });
    expect(twice.before.engine.strategyState('under-test', HIGH)).toBe(20_900);
    // After the restart: no change on bar 5 (what the take-over would keep is the same); the record
    // names the trailing stop's sale when it is sent, and is deleted when the sale fills.
    const afterRestart = stateChanges(twice.session).filter((event) => event.sequence > twice.killedAtSequence);
    expect(describeChanges(afterRestart)).toEqual([`00:07 ${KEY} kept`, `00:08 ${KEY} deleted`, `00:08 ${HIGH} deleted`]);
  });

  it('a ladder sale in flight at the kill that the restart cancels is sold again: its step is not counted as sold', async () => {
    // Killed after bar 2, whose close sent the step's sale; the paper session's venue does not
    // survive the restart, so the sale is cancelled unfilled. Bar 3 still closes above +1%.
    const twice = await withRestart(rules, climb, 3);
    expect(twice.before.engine.strategyState('under-test', KEY)).toMatchObject({ sold: 0.5, exiting: { soldBefore: 0 } });
    expect(twice.orders).toEqual([
      '2024-01-01T00:01:00.000Z buy market 0.2 (entry) → filled at 20000',
      '2024-01-01T00:03:00.000Z sell market 0.1 (exit: take-profit 50%) → canceled',
      '2024-01-01T00:04:00.000Z sell market 0.1 (exit: take-profit 50%) → filled at 20850',
      '2024-01-01T00:07:00.000Z sell market 0.1 (exit: trailing-stop) → filled at 20440',
    ]);
  });

  it('a record kept only on bars that changed something, and deleted in the step that closed the position', async () => {
    const once = await withoutRestart(rules, climb, restartAt);
    // Bar 1 (the position named, high 20,100), bar 2 (step sold, break-even armed; high; then the
    // step's order named as in flight as it is sent), bar 3 (high; the step's sale filled at its
    // open, so no exit in flight), then nothing on bars 4-5 (no new high, nothing sold), bar 6 (the
    // trailing stop's sale named as it is sent), and the deletes in the step of bar 7's open fill.
    // Each bar closes a minute after it opens.
    expect(describeChanges(stateChanges(once.session))).toEqual([
      `00:02 ${KEY} kept`, `00:02 ${HIGH} kept`,
      `00:03 ${KEY} kept`, `00:03 ${HIGH} kept`, `00:03 ${KEY} kept`,
      `00:04 ${KEY} kept`, `00:04 ${HIGH} kept`,
      `00:07 ${KEY} kept`,
      `00:08 ${KEY} deleted`, `00:08 ${HIGH} deleted`,
    ]);
    expect(once.session.engine.strategyStateKeys('under-test')).toEqual([]);
    const twice = await withRestart(rules, climb, restartAt);
    expect(twice.session.engine.strategyStateKeys('under-test')).toEqual([]);
  });

  it('break-even stays armed: a close under its level after the restart sells, as without the restart', async () => {
    const breakEvenRules = [stopLoss({ percent: 3 }), breakEven({ atPercent: 1 }), takeProfitLadder([{ atPercent: 1, sellFraction: 0.5 }])];
    const dip = bars([
      [20_000, 20_000, 20_000, 20_000],
      [20_000, 20_100, 19_950, 20_050],
      [20_050, 20_300, 20_040, 20_250], // step 1 sells half, break-even arms at 20,160.64
      [20_260, 20_280, 20_180, 20_200],
      // The restart. A close of 20,150 is under break-even but not at +1%: without the progress
      // break-even would not arm again, and only the 3% stop (19,400) would be left.
      [20_200, 20_210, 20_140, 20_150],
      [20_140, 20_160, 20_100, 20_120],
    ]);
    const once = await withoutRestart(breakEvenRules, dip, 4);
    expect(once.orders.at(-1)).toBe('2024-01-01T00:05:00.000Z sell market 0.1 (exit: break-even) → filled at 20140');
    const twice = await withRestart(breakEvenRules, dip, 4);
    expect(twice.stopsAfter[0]).toBe('2024-01-01T00:04:00.000Z stop 20160.64 (break-even)');
    expect(twice.orders).toEqual(once.orders);
    expect([twice.usd, twice.btc]).toEqual([once.usd, once.btc]);
  });
});
