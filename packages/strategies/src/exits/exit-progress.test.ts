import type { StrategyStateValue } from '@kbot/core';
import { bar, btcUsd, position, TEST_START_TIME } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { breakEven } from './break-even.js';
import { ExitManager } from './exit-manager.js';
import { barAt, contextWith, describeActions, fill, held, MINUTE } from './exit-test-kit.js';
import type { ExitRule } from './exit-rules.js';
import { stopLoss } from './stop-loss.js';
import { takeProfitLadder } from './take-profit-ladder.js';
import { timeStop } from './time-stop.js';
import { trailingStop } from './trailing-stop.js';

const KEY = 'exits:BTC/USD';
const HIGH = 'exits:BTC/USD:high';

/** `ctx.state` as the engine keeps it (a JSON copy), recording every `set` the exits make, changed or not. */
class RecordingState {
  readonly values = new Map<string, StrategyStateValue>();
  readonly sets: string[] = [];

  get(key: string): StrategyStateValue | undefined {
    return this.values.get(key);
  }

  set(key: string, value: StrategyStateValue | undefined): void {
    this.sets.push(`${key} ${value === undefined ? 'deleted' : 'kept'}`);
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, JSON.parse(JSON.stringify(value)) as StrategyStateValue);
  }

  /** What a restarted process finds: the values, not this object. */
  recovered(): RecordingState {
    const copy = new RecordingState();
    for (const [key, value] of this.values) copy.values.set(key, value);
    return copy;
  }
}

function managerWith(rules: readonly ExitRule[], state: RecordingState) {
  const context = { ...contextWith(), state };
  return { exits: new ExitManager({ instrument: btcUsd(), rules, context }), log: context.log };
}

/** The position as the portfolio reports it after a restart: opened at bar `openedIndex`'s open. */
function takenOver(quantity: string, entry: number, openedIndex = 0) {
  const openedAt = TEST_START_TIME + openedIndex * MINUTE;
  return position({ quantity, averageEntryPrice: entry, openedAt, updatedAt: openedAt });
}

describe('ExitManager keeps its progress in ctx.state', () => {
  it('once at the bar after the entry, then only on a bar that changed something: a quiet bar sets nothing', () => {
    const state = new RecordingState();
    const { exits } = managerWith([stopLoss({ percent: 2 }), trailingStop({ percent: 1 })], state);
    exits.onFill(fill('buy', '0.4', 20_000));
    expect(state.sets).toEqual([]);
    exits.onBar(barAt(0, 20_000, { high: 20_050 }), held('0.4', 20_000));
    expect(state.sets).toEqual([`${KEY} kept`, `${HIGH} kept`]);
    for (let index = 1; index <= 5; index++) exits.onBar(barAt(index, 20_010, { high: 20_040 }), held('0.4', 20_000));
    expect(state.sets).toHaveLength(2);
    // A new high moves the trailing stop: the high is kept (a percent trail's level follows from it);
    // the position's progress did not change.
    exits.onBar(barAt(6, 20_050, { high: 20_100 }), held('0.4', 20_000));
    expect(state.sets.slice(2)).toEqual([`${HIGH} kept`]);
    expect(state.values.get(KEY)).toMatchObject({ openedAt: TEST_START_TIME, entry: '20000', peak: '0.4', sold: 0, progress: [null, true] });
    expect(state.values.get(HIGH)).toBe(20_100);
  });

  it('without a trailing stop the highest high is not kept: new highs set nothing', () => {
    const state = new RecordingState();
    const { exits } = managerWith([stopLoss({ percent: 2 }), takeProfitLadder([{ atPercent: 5, sellFraction: 0.5 }])], state);
    exits.onFill(fill('buy', '0.4', 20_000));
    for (let index = 0; index < 5; index++) exits.onBar(barAt(index, 20_000 + index * 50, { high: 20_030 + index * 50 }), held('0.4', 20_000));
    expect(state.sets).toEqual([`${KEY} kept`]);
    expect(state.values.has(HIGH)).toBe(false);
  });

  it('is deleted when the position closes, in the handler of the fill that closed it', () => {
    const state = new RecordingState();
    const { exits } = managerWith([stopLoss({ percent: 2 })], state);
    exits.onFill(fill('buy', '0.4', 20_000));
    exits.onBar(barAt(0, 20_000), held('0.4', 20_000));
    exits.onFill(fill('sell', '0.4', 19_500, { index: 1, order: 'x-1' }));
    expect(state.sets).toEqual([`${KEY} kept`, `${KEY} deleted`]);
    expect(state.values.has(KEY)).toBe(false);
  });

  it('restored after a restart: no second sale of a step, the largest size and the stop as before, said at info', () => {
    const rules = [stopLoss({ percent: 2 }), breakEven({ atPercent: 1 }), takeProfitLadder([{ atPercent: 1, sellFraction: 0.5 }, { atPercent: 3, sellFraction: 0.5 }])];
    const state = new RecordingState();
    const { exits: before } = managerWith(rules, state);
    before.onFill(fill('buy', '0.4', 20_000));
    before.onBar(barAt(0, 20_000), held('0.4', 20_000));
    expect(describeActions(before.onBar(barAt(1, 20_250), held('0.4', 20_000)))).toEqual(['sell market 0.2 (exit: take-profit 50%)']);
    const stopBefore = before.stopPrice;

    const { exits: after, log } = managerWith(rules, state.recovered());
    // The step's half was sold before the restart; a close at +1.5% sells nothing more.
    expect(after.onBar(barAt(3, 20_300), takenOver('0.2', 20_000))).toEqual([]);
    expect([after.stopPrice, after.stopReason]).toEqual([stopBefore, 'break-even']);
    expect(log.lines).toEqual([
      'info: exits: took over the BTC/USD position of 0.2 (average entry 20000, opened 2024-01-01T00:00:00.000Z) from an earlier run; bars held counted from the entry time: 4; went on from the progress kept in ctx.state (largest size 0.4, take-profit sold 50%): the stop 20160.6 (break-even)',
    ]);
    // The next step sells the other half of the largest size: all that is left.
    expect(describeActions(after.onBar(barAt(4, 20_650), takenOver('0.2', 20_000)))).toEqual(['sell market 0.2 (exit: take-profit 100%)']);
  });

  it('an ATR stop-loss keeps its distance from the ATR at the entry, though the ATR is cold after the restart', () => {
    const rules = [stopLoss({ atrMultiple: 2, atrPeriod: 3 })];
    const ranges = Array.from({ length: 12 }, (_, index) => barAt(index, 20_000, { high: 20_000 + 40 * (index % 4 + 1), low: 20_000 - 30 * (index % 3 + 1) }));
    const state = new RecordingState();
    const { exits: before } = managerWith(rules, state);
    for (const item of ranges.slice(0, 6)) before.onBar(item, undefined);
    before.onFill(fill('buy', '0.4', 20_000, { index: 6 }));
    for (const item of ranges.slice(6, 9)) before.onBar(item, takenOver('0.4', 20_000, 6));
    const { exits: after } = managerWith(rules, state.recovered());
    for (const item of ranges.slice(9)) {
      before.onBar(item, takenOver('0.4', 20_000, 6));
      after.onBar(item, takenOver('0.4', 20_000, 6));
      expect(after.stopPrice).toBe(before.stopPrice);
    }
    expect(after.stopPrice).toBeLessThan(20_000);
  });

  describe('an ATR trailing stop', () => {
    const rules = [trailingStop({ atrMultiple: 2, atrPeriod: 3 })];
    // Wide bars, the entry at bar 6's open, a spike to 20,800 at bar 7, then bars under it.
    const opening = [
      ...Array.from({ length: 6 }, (_, index) => barAt(index, 20_000, { high: 20_200, low: 19_800 })),
      barAt(6, 20_000, { high: 20_100, low: 19_900 }),
      barAt(7, 20_500, { open: 20_000, high: 20_800, low: 20_000 }),
    ];
    const ranged = (first: number, halfRanges: readonly number[]) => halfRanges.map((half, index) => barAt(first + index, 20_500, { high: 20_500 + half, low: 20_500 - half }));

    /** Stops after each bar from `restartAt` on, run without a restart and restarted (its ATR warmed up on the same history). */
    function compare(all: readonly ReturnType<typeof barAt>[], restartAt: number): number[] {
      const state = new RecordingState();
      const { exits: before } = managerWith(rules, state);
      for (const item of all.slice(0, 6)) before.onBar(item, undefined);
      before.onFill(fill('buy', '0.4', 20_000, { index: 6 }));
      for (const item of all.slice(6, restartAt)) before.onBar(item, takenOver('0.4', 20_000, 6));
      // The restart's warm-up is the whole history, so the ATRs are equal: only what the exits keep can differ.
      const after = new ExitManager({ instrument: btcUsd(), rules, context: { ...contextWith(), state: state.recovered() } });
      for (const item of all.slice(0, restartAt)) after.warmUp(item);
      const levels: number[] = [];
      for (const item of all.slice(restartAt)) {
        before.onBar(item, takenOver('0.4', 20_000, 6));
        after.onBar(item, takenOver('0.4', 20_000, 6));
        expect(after.stopPrice).toBe(before.stopPrice);
        levels.push(after.stopPrice!);
      }
      return levels;
    }

    it('follows the highest high kept: as the ATR narrows after the restart, it rises as it would have', () => {
      const levels = compare([...opening, ...ranged(8, [120, 60, 40, 30, 24, 20, 17, 15])], 10);
      // It rose after the restart, from 20,800 − 2 ATRs, though no high came near 20,800 again.
      expect(levels.at(-1)).toBeGreaterThan(levels[0]!);
    });

    it('keeps the level it ratcheted to: as the ATR widens after the restart, it stays', () => {
      const levels = compare([...opening, ...ranged(8, [60, 30, 20, 15, 120, 200, 250])], 12);
      expect(new Set(levels).size).toBe(1);
    });

    it('keeps its level under a key of its own, as a number; deleted with the rest when the position closes', () => {
      const state = new RecordingState();
      const { exits } = managerWith(rules, state);
      for (const item of opening.slice(0, 6)) exits.onBar(item, undefined);
      exits.onFill(fill('buy', '0.4', 20_000, { index: 6 }));
      for (const item of opening.slice(6)) exits.onBar(item, takenOver('0.4', 20_000, 6));
      expect(state.values.get('exits:BTC/USD:trailing-stop:0')).toBe(exits.stopPrice);
      exits.onFill(fill('sell', '0.4', 19_000, { index: 8, order: 'x-1' }));
      expect([...state.values.keys()]).toEqual([]);
    });
  });

  it('a time stop in bars counts the intervals that had no bar as before the restart', () => {
    const rules = [timeStop({ bars: 7 })];
    // No bar for interval 3 (a venue skips intervals without trades): the 7th bar held is bar 7.
    const indexes = [0, 1, 2, 4, 5, 6, 7, 8];
    const state = new RecordingState();
    const { exits: before } = managerWith(rules, state);
    before.onFill(fill('buy', '0.4', 20_000));
    const sent: string[] = [];
    for (const index of indexes.slice(0, 4)) before.onBar(barAt(index, 20_000), held('0.4', 20_000));
    const { exits: after } = managerWith(rules, state.recovered());
    for (const index of indexes.slice(4)) {
      const continuing = describeActions(before.onBar(barAt(index, 20_000), held('0.4', 20_000)));
      const restarted = describeActions(after.onBar(barAt(index, 20_000), takenOver('0.4', 20_000)));
      expect(restarted).toEqual(continuing);
      sent.push(...restarted.map((line) => `bar ${index}: ${line}`));
    }
    expect(sent).toEqual(['bar 7: sell market 0.4 (exit: time-stop)']);
  });
});

describe('ExitManager does not restore progress kept for another position', () => {
  const rules = [stopLoss({ percent: 2 }), takeProfitLadder([{ atPercent: 1, sellFraction: 0.5 }])];

  /** A record of the position opened at bar 0 at 20,000 with its first step sold. */
  function keptForFirstPosition(): RecordingState {
    const state = new RecordingState();
    const { exits } = managerWith(rules, state);
    exits.onFill(fill('buy', '0.4', 20_000));
    exits.onBar(barAt(0, 20_250), held('0.4', 20_000));
    expect(state.values.get(KEY)).toMatchObject({ openedAt: TEST_START_TIME, sold: 0.5, progress: [null, 1] });
    return state.recovered();
  }

  it('another openedAt (the position was closed and a new one opened): taken over as without a record, said at info, the record replaced', () => {
    const state = keptForFirstPosition();
    const { exits, log } = managerWith(rules, state);
    // A new position, opened at bar 5: its first step is its own to sell.
    expect(describeActions(exits.onBar(barAt(8, 20_250), takenOver('0.3', 20_000, 5)))).toEqual(['sell market 0.15 (exit: take-profit 50%)']);
    expect(log.lines[0]).toBe('info: exits: the progress kept for the BTC/USD position opened 2024-01-01T00:00:00.000Z (average entry 20000) is not the position held (opened 2024-01-01T00:05:00.000Z, average entry 20000): not restored');
    expect(state.values.get(KEY)).toMatchObject({ openedAt: TEST_START_TIME + 5 * MINUTE, peak: '0.3', sold: 0.5 });
  });

  it('the same openedAt but another average entry (bought into after the record was kept): not restored', () => {
    const state = keptForFirstPosition();
    const { exits, log } = managerWith(rules, state);
    expect(describeActions(exits.onBar(barAt(2, 20_400), takenOver('0.6', 20_100)))).toEqual(['sell market 0.3 (exit: take-profit 50%)']);
    expect(log.lines[0]).toMatch(/^info: exits: the progress kept for the BTC\/USD position opened 2024-01-01T00:00:00\.000Z \(average entry 20000\) is not the position held \(opened 2024-01-01T00:00:00\.000Z, average entry 20100\): not restored$/);
  });

  it('other exit rules since: the position\'s facts are restored, not the rules\' progress', () => {
    const state = keptForFirstPosition();
    const { exits, log } = managerWith([stopLoss({ percent: 2 }), takeProfitLadder([{ atPercent: 1, sellFraction: 0.25 }, { atPercent: 2, sellFraction: 0.75 }])], state);
    // The ladder starts again, but its shares are of the largest size (0.4): 0.2 held is under the first step's 75%.
    expect(exits.onBar(barAt(2, 20_250), takenOver('0.2', 20_000))).toEqual([]);
    expect(log.lines[0]).toBe('info: exits: the progress of the BTC/USD position was kept for other exit rules: its entry, largest size, highest high and entry ATR are restored, but the take-profit steps sold, break-even and the trailing stop start again');
  });

  it('a record found while flat at the first bar is deleted, said at info', () => {
    const state = keptForFirstPosition();
    const { exits, log } = managerWith(rules, state);
    exits.onBar(barAt(3, 20_000), undefined);
    expect(state.values.has(KEY)).toBe(false);
    expect(log.lines).toEqual(['info: exits: no BTC/USD position is held now: the progress kept for the one opened 2024-01-01T00:00:00.000Z (average entry 20000) is deleted']);
  });

  it('a record this version cannot read is not restored, and is replaced', () => {
    const state = new RecordingState();
    state.values.set(KEY, { version: 0, sold: 0.5 });
    const { exits, log } = managerWith(rules, state);
    expect(describeActions(exits.onBar(barAt(2, 20_250), takenOver('0.4', 20_000)))).toEqual(['sell market 0.2 (exit: take-profit 50%)']);
    expect(log.lines[0]).toBe('info: exits: the progress kept under "exits:BTC/USD" is not in a form this version reads: not restored (it is replaced or deleted)');
    expect(state.values.get(KEY)).toMatchObject({ version: 1, sold: 0.5 });
  });

  it('while warming up nothing is read, kept or deleted', () => {
    const state = keptForFirstPosition();
    const context = { ...contextWith(), state, warmingUp: true };
    const exits = new ExitManager({ instrument: btcUsd(), rules, context });
    exits.onBar(bar({ openTime: TEST_START_TIME + 3 * MINUTE }), undefined);
    expect(state.sets).toEqual([]);
    expect(state.values.has(KEY)).toBe(true);
  });
});
