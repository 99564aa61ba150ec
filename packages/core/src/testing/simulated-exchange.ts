import { StaticInstrumentProvider } from '../exchange/static-instrument-provider.js';
import type { Exchange } from '../exchange/exchange.js';
import type { Instrument } from '../model/instrument.js';
import { SimulatedVenue, type SimulatedVenueOptions } from '../simulation/simulated-venue.js';
import { FakeMarketDataClient } from './fake-market-data-client.js';
import { btcUsd } from './instrument-fixtures.js';

/** The simulated venue packaged as an Exchange, with a fake market-data client. */
export interface SimulatedExchange extends Exchange {
  readonly instruments: StaticInstrumentProvider;
  readonly data: FakeMarketDataClient;
  readonly execution: SimulatedVenue;
}

export interface SimulatedExchangeOptions extends Omit<SimulatedVenueOptions, 'instruments' | 'balances'> {
  /** Default `simulated`. */
  readonly id?: string;
  /** Default: Kraken's BTC/USD. */
  readonly instruments?: readonly Instrument[];
  /** Default `{ USD: '10000' }`. */
  readonly balances?: SimulatedVenueOptions['balances'];
}

/** A SimulatedVenue, a StaticInstrumentProvider and a FakeMarketDataClient composed into an Exchange. */
export function createSimulatedExchange(options: SimulatedExchangeOptions): SimulatedExchange {
  const { id, instruments: list, balances, ...venueOptions } = options;
  const instruments = new StaticInstrumentProvider(list ?? [btcUsd()]);
  return Object.freeze({
    id: id ?? 'simulated',
    instruments,
    data: new FakeMarketDataClient(),
    execution: new SimulatedVenue({ ...venueOptions, instruments: (instrumentId) => instruments.get(instrumentId), balances: balances ?? { USD: '10000' } }),
  });
}
