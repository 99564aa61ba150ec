import { krakenSpotInstruments } from '../backtest/instruments.js';
import { InvariantError } from '../errors/errors.js';
import { instrumentId as toInstrumentId, type InstrumentId } from '../model/ids.js';
import type { Instrument } from '../model/instrument.js';

/**
 * Kraken's BTC/USD with its real order rules (tick 0.1, lot 0.00000001, minimum 0.0001 BTC and
 * 0.5 USD, fees 0.25% maker / 0.40% taker), so tests exercise the rules a bot meets live.
 */
export function btcUsd(): Instrument {
  return krakenInstrument('BTC/USD');
}

/** One of the Kraken spot pairs kbot knows offline (`BTC/USD`, `ETH/USD`, `SOL/USD`, ...). */
export function krakenInstrument(id: InstrumentId | string): Instrument {
  const wanted = toInstrumentId(id);
  const instrument = krakenSpotInstruments().find((candidate) => candidate.id === wanted);
  if (!instrument) {
    const known = krakenSpotInstruments().map((candidate) => candidate.id).join(', ');
    throw new InvariantError(`instrument: received ${JSON.stringify(id)}, expected one of the Kraken pairs kbot knows offline (${known})`);
  }
  return instrument;
}

/** Accepts an Instrument, an InstrumentId or a symbol such as `'btc/usd'`. */
export function instrumentIdOf(value: Instrument | InstrumentId | string): InstrumentId {
  return typeof value === 'string' ? toInstrumentId(value) : value.id;
}
