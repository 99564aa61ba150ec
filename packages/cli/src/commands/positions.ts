import { ZERO, decimalString, isoTime, instrumentId, type Decimal, type Instrument, type InstrumentId } from '@kbot/core';
import { EXIT } from '../exit-codes.js';
import { configQuote, parseAssetFlag } from '../operator/operator-flags.js';
import { withOperatorSession, type CommandOutcome, type OperatorContext } from '../operator/operator-session.js';
import { plainTable } from '../output/operator-tables.js';

export interface PositionsFlags {
  readonly config?: string;
  readonly json?: boolean;
  /** Asset the positions are valued in; default the config's quote (USD). */
  readonly quote?: string;
}

export interface SpotPosition {
  readonly asset: string;
  readonly instrumentId: InstrumentId;
  readonly quantity: Decimal;
  /** Last trade price of the pair. */
  readonly price: Decimal;
  readonly bid: Decimal;
  /** quantity × last price, in the quote asset. */
  readonly value: Decimal;
}

/** What `kbot positions` says about where its numbers come from. */
export const POSITIONS_SOURCE =
  'spot positions derived from balances: every asset other than the quote, valued at the last trade price of ASSET/QUOTE; no entry prices or P&L (Kraken spot has no positions API)';

/** Balances → spot positions in `quote`, and the assets that have no ASSET/QUOTE price. Pure. */
export function spotPositions(
  balances: readonly { readonly asset: string; readonly total: Decimal }[],
  instruments: readonly Instrument[],
  prices: ReadonlyMap<InstrumentId, { readonly last: Decimal; readonly bid: Decimal }>,
  quote: string,
): { positions: SpotPosition[]; unpriced: { asset: string; quantity: Decimal; reason: string }[] } {
  const positions: SpotPosition[] = [];
  const unpriced: { asset: string; quantity: Decimal; reason: string }[] = [];
  for (const { asset, total } of balances) {
    if (asset === quote || total.lessThanOrEqualTo(0)) continue;
    let id: InstrumentId | undefined;
    try {
      id = instrumentId(`${asset}/${quote}`);
    } catch {
      id = undefined;
    }
    const price = id === undefined ? undefined : prices.get(id);
    if (id === undefined || price === undefined || !instruments.some((instrument) => instrument.id === id)) {
      unpriced.push({ asset, quantity: total, reason: asset.includes('.') ? 'a staking or earn balance' : `no ${asset}/${quote} price at the venue` });
      continue;
    }
    positions.push({ asset, instrumentId: id, quantity: total, price: price.last, bid: price.bid, value: total.times(price.last) });
  }
  return { positions, unpriced };
}

/** `kbot positions`: balances held in assets other than the quote, valued at the venue's last prices. */
export async function positionsCommand(flags: PositionsFlags, context: OperatorContext): Promise<CommandOutcome> {
  const requestedQuote = flags.quote === undefined ? undefined : parseAssetFlag(flags.quote, '--quote');
  return withOperatorSession({ flags, context, command: 'kbot positions', account: true }, async ({ opened, venue }) => {
    const quote = requestedQuote ?? configQuote(opened);
    const [balances, instruments] = await Promise.all([venue.fetchBalances(), venue.instruments()]);
    const ids = balances.flatMap((balance) => instruments.filter((instrument) => instrument.base === balance.asset && instrument.quote === quote).map((instrument) => instrument.id));
    const prices = await venue.fetchPrices(ids);
    const { positions, unpriced } = spotPositions(balances, instruments, prices, quote);
    const cash = balances.find((balance) => balance.asset === quote)?.total;
    const total = positions.reduce((sum, position) => sum.plus(position.value), cash ?? ZERO);
    const time = (context.now ?? Date.now)();
    const places = (value: Decimal) => decimalString(value.toDecimalPlaces(8));
    if (flags.json) {
      return {
        exitCode: EXIT.ok,
        output: JSON.stringify({
          exchange: venue.exchangeId,
          endpoint: venue.endpoint,
          time: isoTime(time),
          source: POSITIONS_SOURCE,
          quote,
          positions: positions.map((position) => ({
            asset: position.asset,
            pair: position.instrumentId,
            quantity: decimalString(position.quantity),
            price: decimalString(position.price),
            bid: decimalString(position.bid),
            value: places(position.value),
          })),
          unpriced: unpriced.map((entry) => ({ asset: entry.asset, quantity: decimalString(entry.quantity), reason: entry.reason })),
          quoteBalance: cash === undefined ? '0' : decimalString(cash),
          totalValue: places(total),
        }),
      };
    }
    const lines = [`positions at ${venue.exchangeId} (${venue.endpoint}), ${isoTime(time)}`, `(${POSITIONS_SOURCE})`];
    if (positions.length === 0) lines.push(`no positions: nothing held but ${quote}`);
    else {
      lines.push(plainTable(
        ['asset', 'pair', 'quantity', 'last price', 'bid', `value (${quote})`],
        positions.map((position) => [position.asset, position.instrumentId, decimalString(position.quantity), decimalString(position.price), decimalString(position.bid), decimalString(position.value.toDecimalPlaces(2))]),
      ));
    }
    for (const entry of unpriced) lines.push(`not valued: ${decimalString(entry.quantity)} ${entry.asset} (${entry.reason})`);
    lines.push(`${quote} balance: ${cash === undefined ? '0' : decimalString(cash)}; total value of ${quote} and valued positions: ${decimalString(total.toDecimalPlaces(2))} ${quote}`);
    return { exitCode: EXIT.ok, output: lines.join('\n') };
  });
}
