import { Decimal, ZERO, decimalAtMost, decimalEquals, decimalToNumber, toDecimal, type DecimalLike } from '../model/decimal.js';
import { decimalDividedBy, decimalMinus, decimalPlus, decimalTimes, decimalToPlaces, quotientWithHint } from '../model/decimal-arithmetic.js';
import { InvariantError } from '../errors/errors.js';
import type { Fill } from '../model/fill.js';
import type { ClientOrderId, InstrumentId } from '../model/ids.js';
import type { Instrument } from '../model/instrument.js';
import type { Balance, Position, RoundTrip } from '../model/position.js';
import type { EpochMs } from '../model/time.js';
import { decimalAt, invalidStateField as invalid, objectAt } from '../persistence/state-json.js';

/** What applying one fill did to the instrument's position. */
export type PositionChange =
  | { readonly kind: 'opened'; readonly position: Position }
  | { readonly kind: 'changed'; readonly position: Position }
  | { readonly kind: 'closed'; readonly position: Position; readonly roundTrip: RoundTrip; readonly entryOrderId: ClientOrderId };

interface PositionState {
  quantity: Decimal;
  costBasis: Decimal;
  realizedPnl: Decimal;
  feesPaid: Decimal;
  openedAt: EpochMs | undefined;
  updatedAt: EpochMs;
  // The round trip in progress, from flat to flat.
  tripEntryQuantity: Decimal;
  tripEntryCost: Decimal;
  tripExitQuantity: Decimal;
  tripExitProceeds: Decimal;
  tripGrossPnl: Decimal;
  tripFees: Decimal;
  tripFills: number;
  tripEntryOrderId: ClientOrderId | undefined;
  // The last entry and exit fill prices: usually the exact averages, which then need no division
  // (quotientWithHint checks). Not state: a restored position has none and divides.
  lastEntryPrice: Decimal | undefined;
  lastExitPrice: Decimal | undefined;
}

function emptyPosition(time: EpochMs): PositionState {
  return {
    quantity: ZERO, costBasis: ZERO, realizedPnl: ZERO, feesPaid: ZERO, openedAt: undefined, updatedAt: time,
    tripEntryQuantity: ZERO, tripEntryCost: ZERO, tripExitQuantity: ZERO, tripExitProceeds: ZERO, tripGrossPnl: ZERO,
    tripFees: ZERO, tripFills: 0, tripEntryOrderId: undefined, lastEntryPrice: undefined, lastExitPrice: undefined,
  };
}

/**
 * Balances, positions and P&L, all Decimal, moved only by fills. Spot accounting:
 * a buy spends quote and receives base; a sell the reverse; the fee is taken from the fee asset.
 * Realized P&L uses the average entry price. The identity
 * `quote now = quote at start + realized P&L − fees − cost of the open position` holds exactly
 * for a bot that starts with quote only (tested on real data).
 *
 * A number mirror of balances is kept for the per-bar equity curve, where Decimal would cost
 * 50–150×; reports take money from the Decimal side only.
 */
export class Portfolio {
  private readonly totals = new Map<string, Decimal>();
  private readonly positionsById = new Map<InstrumentId, PositionState>();
  private readonly closedTrips: RoundTrip[] = [];
  private feesTotal: Map<string, Decimal> = new Map();
  /** Number mirror of `totals` for the per-bar equity sample. */
  private readonly totalsNumber = new Map<string, number>();
  private assetList: readonly string[] = [];
  /** Cached `position()` results (null = flat), dropped when a fill moves the position. */
  private readonly positionViews = new Map<InstrumentId, Position | null>();

  constructor(startBalances: Readonly<Record<string, DecimalLike>> = {}) {
    for (const [asset, amount] of Object.entries(startBalances)) this.setBalance(asset, toDecimal(amount, `balances.${asset}`));
  }

  setBalance(asset: string, total: Decimal): void {
    if (!this.totals.has(asset)) this.assetList = [...this.assetList, asset].sort();
    this.totals.set(asset, total);
    this.totalsNumber.set(asset, decimalToNumber(total));
  }

  balanceTotal(asset: string): Decimal {
    return this.totals.get(asset) ?? ZERO;
  }

  balanceNumber(asset: string): number {
    return this.totalsNumber.get(asset) ?? 0;
  }

  /** Balances with `available` = total − `held` (what open orders reserve, computed by the caller). */
  balances(held: (asset: string) => Decimal = () => ZERO): Balance[] {
    return [...this.totals.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([asset, total]) => Object.freeze({ asset, total, available: total.minus(held(asset)) }));
  }

  /** Assets with a balance, sorted; the same array until a new asset appears (no per-bar allocation). */
  assets(): readonly string[] {
    return this.assetList;
  }

  /** The open position, or undefined when flat. Strategies call this every bar: the frozen view is cached until the next fill. */
  position(id: InstrumentId): Position | undefined {
    const cached = this.positionViews.get(id);
    if (cached !== undefined) return cached ?? undefined;
    const state = this.positionsById.get(id);
    const view = state && !state.quantity.isZero() ? this.freeze(id, state) : null;
    this.positionViews.set(id, view);
    return view ?? undefined;
  }

  /** The order whose fill opened the position on `id`; undefined when flat. */
  entryOrderOf(id: InstrumentId): ClientOrderId | undefined {
    const state = this.positionsById.get(id);
    return state === undefined || state.quantity.isZero() ? undefined : state.tripEntryOrderId;
  }

  openPositions(): Position[] {
    return [...this.positionsById.entries()].filter(([, state]) => !state.quantity.isZero()).map(([id, state]) => this.freeze(id, state));
  }

  roundTrips(): readonly RoundTrip[] {
    return this.closedTrips;
  }

  /** Fees paid per asset. */
  fees(): ReadonlyMap<string, Decimal> {
    return this.feesTotal;
  }

  /** Realized P&L (before fees) summed over instruments, in their quote assets. */
  realizedPnl(quoteAsset: string): Decimal {
    let sum = ZERO;
    for (const [id, state] of this.positionsById) if (id.endsWith(`/${quoteAsset}`)) sum = sum.plus(state.realizedPnl);
    return sum;
  }

  /** Fees of every instrument quoted in `quoteAsset`, valued in it at the fill price. */
  feesPaid(quoteAsset: string): Decimal {
    let sum = ZERO;
    for (const [id, state] of this.positionsById) if (id.endsWith(`/${quoteAsset}`)) sum = sum.plus(state.feesPaid);
    return sum;
  }

  /**
   * Applies one fill. The caller guarantees each trade id is applied once (the order manager
   * drops duplicates before they get here).
   */
  applyFill(fill: Fill, instrument: Pick<Instrument, 'base' | 'quote'>): PositionChange {
    const { base, quote } = instrument;
    const notional = decimalTimes(fill.quantity, fill.price);
    // A fee in the quote asset (Kraken's usual) moves the quote balance in the same step as the
    // trade: one addition and one number mirror update fewer per fill, the same exact total.
    const feeInQuoteAsset = fill.feeAsset === quote;
    if (fill.side === 'buy') {
      this.subtract(quote, feeInQuoteAsset ? decimalPlus(notional, fill.fee) : notional);
      this.add(base, fill.quantity);
    } else {
      this.subtract(base, fill.quantity);
      this.add(quote, feeInQuoteAsset ? decimalMinus(notional, fill.fee) : notional);
    }
    if (!feeInQuoteAsset) this.subtract(fill.feeAsset, fill.fee);
    this.feesTotal.set(fill.feeAsset, decimalPlus(this.feesTotal.get(fill.feeAsset) ?? ZERO, fill.fee));
    const feeInQuote = feeInQuoteOf(fill, instrument);
    if (fill.feeAsset === base && !fill.fee.isZero()) {
      // A fee in the base asset (Kraken's `fcib`) is paid in units of the position: a buy holds
      // its quantity less the fee, a sale gives up its quantity plus the fee. The position moves
      // by what the balance moves, as if those units were traded at the fill's price and paid as
      // the fee (counted once, in feeInQuote), so selling the position's quantity is always possible.
      const units = fill.side === 'buy' ? decimalMinus(fill.quantity, fill.fee) : decimalPlus(fill.quantity, fill.fee);
      const moved: Fill = { ...fill, quantity: units };
      return this.applyToPosition(moved, feeInQuote, decimalTimes(units, fill.price));
    }
    return this.applyToPosition(fill, feeInQuote, notional);
  }

  /** `notional` is quantity × price of the fill. */
  private applyToPosition(fill: Fill, feeInQuote: Decimal, notional: Decimal): PositionChange {
    this.positionViews.delete(fill.instrumentId);
    let state = this.positionsById.get(fill.instrumentId);
    if (!state) {
      state = emptyPosition(fill.time);
      this.positionsById.set(fill.instrumentId, state);
    }
    const wasFlat = state.quantity.isZero();
    state.updatedAt = fill.time;
    state.feesPaid = decimalPlus(state.feesPaid, feeInQuote);
    state.tripFills++;

    if (fill.side === 'buy') {
      state.tripFees = decimalPlus(state.tripFees, feeInQuote);
      state.quantity = decimalPlus(state.quantity, fill.quantity);
      state.costBasis = decimalPlus(state.costBasis, notional);
      state.tripEntryQuantity = decimalPlus(state.tripEntryQuantity, fill.quantity);
      state.tripEntryCost = decimalPlus(state.tripEntryCost, notional);
      state.lastEntryPrice = fill.price;
      if (wasFlat) {
        state.openedAt = fill.time;
        state.tripEntryOrderId = fill.clientOrderId;
        return { kind: 'opened', position: this.freeze(fill.instrumentId, state) };
      }
      return { kind: 'changed', position: this.freeze(fill.instrumentId, state) };
    }

    if (wasFlat) {
      // Selling inventory this bot never bought (held before it started): no entry price is
      // known, so nothing is realized; the balances above still move exactly.
      state.tripFills = 0;
      state.tripFees = ZERO;
      return { kind: 'changed', position: this.freeze(fill.instrumentId, state) };
    }
    const closing = decimalAtMost(fill.quantity, state.quantity) ? fill.quantity : state.quantity;
    // A sale larger than the position also sells inventory held before the bot bought: the trip
    // bears only its share of the fee (the position's feesPaid keeps the whole fee).
    state.tripFees = decimalPlus(state.tripFees, closing === fill.quantity ? feeInQuote : decimalDividedBy(decimalTimes(feeInQuote, closing), fill.quantity));
    // The closed share of the cost basis; a full close takes all of it, so no rounding residue stays.
    const removedCost = decimalEquals(closing, state.quantity) ? state.costBasis : shareOfCost(state.costBasis, closing, state.quantity);
    const proceeds = closing === fill.quantity ? notional : decimalTimes(closing, fill.price);
    const pnl = decimalMinus(proceeds, removedCost);
    state.costBasis = decimalMinus(state.costBasis, removedCost);
    state.realizedPnl = decimalPlus(state.realizedPnl, pnl);
    state.tripGrossPnl = decimalPlus(state.tripGrossPnl, pnl);
    state.tripExitQuantity = decimalPlus(state.tripExitQuantity, closing);
    state.tripExitProceeds = decimalPlus(state.tripExitProceeds, proceeds);
    state.lastExitPrice = fill.price;
    state.quantity = decimalMinus(state.quantity, closing);
    if (!state.quantity.isZero()) return { kind: 'changed', position: this.freeze(fill.instrumentId, state) };

    const entryOrderId = state.tripEntryOrderId;
    if (entryOrderId === undefined) throw new InvariantError(`position ${fill.instrumentId} closed without an entry order`);
    const roundTrip: RoundTrip = Object.freeze({
      instrumentId: fill.instrumentId,
      openedAt: state.openedAt ?? fill.time,
      closedAt: fill.time,
      quantity: state.tripEntryQuantity,
      averageEntryPrice: quotientWithHint(state.tripEntryCost, state.tripEntryQuantity, state.lastEntryPrice),
      averageExitPrice: quotientWithHint(state.tripExitProceeds, state.tripExitQuantity, state.lastExitPrice),
      grossPnl: state.tripGrossPnl,
      fees: state.tripFees,
      netPnl: decimalMinus(state.tripGrossPnl, state.tripFees),
      returnFraction: state.tripEntryCost.isZero() ? ZERO : decimalDividedBy(decimalMinus(state.tripGrossPnl, state.tripFees), state.tripEntryCost),
      fills: state.tripFills,
    });
    this.closedTrips.push(roundTrip);
    const position = this.freeze(fill.instrumentId, state);
    Object.assign(state, { ...emptyPosition(fill.time), realizedPnl: state.realizedPnl, feesPaid: state.feesPaid });
    return { kind: 'closed', position, roundTrip, entryOrderId };
  }

  private add(asset: string, amount: Decimal): void {
    this.setBalance(asset, decimalPlus(this.balanceTotal(asset), amount));
  }

  private subtract(asset: string, amount: Decimal): void {
    this.setBalance(asset, decimalMinus(this.balanceTotal(asset), amount));
  }

  private freeze(instrumentId: InstrumentId, state: PositionState): Position {
    return Object.freeze({
      instrumentId,
      quantity: state.quantity,
      averageEntryPrice: state.quantity.isZero() ? ZERO : quotientWithHint(state.costBasis, state.quantity, state.lastEntryPrice),
      costBasis: state.costBasis,
      realizedPnl: state.realizedPnl,
      feesPaid: state.feesPaid,
      openedAt: state.quantity.isZero() ? undefined : state.openedAt,
      updatedAt: state.updatedAt,
    });
  }

  /** The whole state as plain JSON, money as exact decimal strings (engine snapshots). */
  toJSON(): PortfolioState {
    return {
      balances: Object.fromEntries([...this.totals].map(([asset, total]) => [asset, total.toFixed()])),
      fees: Object.fromEntries([...this.feesTotal].map(([asset, fee]) => [asset, fee.toFixed()])),
      positions: Object.fromEntries([...this.positionsById].map(([id, state]) => [id, {
        quantity: state.quantity.toFixed(),
        costBasis: state.costBasis.toFixed(),
        realizedPnl: state.realizedPnl.toFixed(),
        feesPaid: state.feesPaid.toFixed(),
        openedAt: state.openedAt ?? null,
        updatedAt: state.updatedAt,
        trip: {
          entryQuantity: state.tripEntryQuantity.toFixed(),
          entryCost: state.tripEntryCost.toFixed(),
          exitQuantity: state.tripExitQuantity.toFixed(),
          exitProceeds: state.tripExitProceeds.toFixed(),
          grossPnl: state.tripGrossPnl.toFixed(),
          fees: state.tripFees.toFixed(),
          fills: state.tripFills,
          entryOrderId: state.tripEntryOrderId ?? null,
        },
      }])),
    };
  }

  /**
   * A portfolio as `toJSON()` left it. Round trips closed before are not part of the state (they
   * are in the journal and in earlier reports); everything that shapes future P&L is. Bad input
   * throws an InvariantError naming `where` and the field.
   */
  static fromJSON(state: unknown, where = 'portfolio'): Portfolio {
    const record = objectAt(state, where);
    const portfolio = new Portfolio();
    for (const [asset, amount] of Object.entries(objectAt(record['balances'], `${where}.balances`))) {
      portfolio.setBalance(asset, decimalAt(amount, `${where}.balances.${asset}`));
    }
    for (const [asset, amount] of Object.entries(objectAt(record['fees'], `${where}.fees`))) {
      portfolio.feesTotal.set(asset, decimalAt(amount, `${where}.fees.${asset}`));
    }
    for (const [id, value] of Object.entries(objectAt(record['positions'], `${where}.positions`))) {
      const path = `${where}.positions.${id}`;
      const position = objectAt(value, path);
      const trip = objectAt(position['trip'], `${path}.trip`);
      const openedAt = position['openedAt'];
      const entryOrderId = trip['entryOrderId'];
      if (openedAt !== null && !isTime(openedAt)) throw invalid(`${path}.openedAt`, openedAt, 'epoch milliseconds or null');
      if (!isTime(position['updatedAt'])) throw invalid(`${path}.updatedAt`, position['updatedAt'], 'epoch milliseconds');
      if (entryOrderId !== null && typeof entryOrderId !== 'string') throw invalid(`${path}.trip.entryOrderId`, entryOrderId, 'a client order id or null');
      const fills = trip['fills'];
      if (!Number.isSafeInteger(fills) || (fills as number) < 0) throw invalid(`${path}.trip.fills`, fills, 'a whole number of 0 or more');
      portfolio.positionsById.set(id as InstrumentId, {
        quantity: decimalAt(position['quantity'], `${path}.quantity`),
        costBasis: decimalAt(position['costBasis'], `${path}.costBasis`),
        realizedPnl: decimalAt(position['realizedPnl'], `${path}.realizedPnl`),
        feesPaid: decimalAt(position['feesPaid'], `${path}.feesPaid`),
        openedAt: openedAt === null ? undefined : (openedAt as EpochMs),
        updatedAt: position['updatedAt'] as EpochMs,
        tripEntryQuantity: decimalAt(trip['entryQuantity'], `${path}.trip.entryQuantity`),
        tripEntryCost: decimalAt(trip['entryCost'], `${path}.trip.entryCost`),
        tripExitQuantity: decimalAt(trip['exitQuantity'], `${path}.trip.exitQuantity`),
        tripExitProceeds: decimalAt(trip['exitProceeds'], `${path}.trip.exitProceeds`),
        tripGrossPnl: decimalAt(trip['grossPnl'], `${path}.trip.grossPnl`),
        tripFees: decimalAt(trip['fees'], `${path}.trip.fees`),
        tripFills: fills as number,
        tripEntryOrderId: entryOrderId === null ? undefined : (entryOrderId as ClientOrderId),
        lastEntryPrice: undefined,
        lastExitPrice: undefined,
      });
    }
    return portfolio;
  }

  /**
   * Forgets the round trips closed so far (a resumed session reports its own; the earlier ones
   * are in the journal). Positions, balances and fees stay.
   */
  clearRoundTrips(): void {
    this.closedTrips.length = 0;
  }
}

/** One position in `PortfolioState`: the open quantity and its cost, and the round trip in progress. */
export interface PositionStateJson {
  readonly quantity: string;
  readonly costBasis: string;
  readonly realizedPnl: string;
  readonly feesPaid: string;
  readonly openedAt: number | null;
  readonly updatedAt: number;
  readonly trip: {
    readonly entryQuantity: string;
    readonly entryCost: string;
    readonly exitQuantity: string;
    readonly exitProceeds: string;
    readonly grossPnl: string;
    readonly fees: string;
    readonly fills: number;
    readonly entryOrderId: string | null;
  };
}

/** The portfolio as plain JSON (snapshots): money as exact decimal strings, keyed by asset or instrument id. */
export interface PortfolioState {
  readonly balances: Readonly<Record<string, string>>;
  readonly fees: Readonly<Record<string, string>>;
  readonly positions: Readonly<Record<string, PositionStateJson>>;
}

function isTime(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * What a fill's fee counts for in P&L, in the pair's quote asset: a fee in the quote asset as it
 * is, one in the base asset at the fill's price, one in a third asset as nothing (it moves only
 * that asset's balance).
 */
export function feeInQuoteOf(fill: Fill, pair: Pick<Instrument, 'base' | 'quote'>): Decimal {
  return fill.feeAsset === pair.quote ? fill.fee : fill.feeAsset === pair.base ? decimalTimes(fill.fee, fill.price) : ZERO;
}

/**
 * `costBasis × closing / quantity` at 18 decimal places. At 40 significant digits (a quotient's
 * precision) the share has as many decimals as fit, and the cost basis minus it, or the sale's
 * proceeds minus it, would need 41 digits and round, leaving a residue (about 1e-37) in realized
 * P&L and breaking the identity of docs/decisions/2026-11-25-cost-basis-accounting.md. Prices and
 * quantities on Kraken have at most 10 and 8 decimals, so a cost basis has at most 18 and every
 * sum and difference of these amounts stays exact; 1e-18 is far below any money amount.
 */
function shareOfCost(costBasis: Decimal, closing: Decimal, quantity: Decimal): Decimal {
  return decimalToPlaces(decimalDividedBy(decimalTimes(costBasis, closing), quantity), SHARE_PLACES, Decimal.ROUND_HALF_EVEN);
}

const SHARE_PLACES = 18;
