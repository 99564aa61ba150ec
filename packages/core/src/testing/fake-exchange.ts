import type { Clock } from '../clock/clock.js';
import type { Exchange } from '../exchange/exchange.js';
import type { DecimalLike } from '../model/decimal.js';
import type { Instrument } from '../model/instrument.js';
import { FakeExecutionClient } from './fake-execution-client.js';
import { FakeInstrumentProvider } from './fake-instrument-provider.js';
import { FakeMarketDataClient, type FakeMarketDataClientOptions } from './fake-market-data-client.js';

/** An Exchange whose three parts are fakes the test drives. */
export interface FakeExchange extends Exchange {
  readonly instruments: FakeInstrumentProvider;
  readonly data: FakeMarketDataClient;
  readonly execution: FakeExecutionClient;
}

export interface FakeExchangeOptions {
  /** Default `fake`. */
  readonly id?: string;
  /** Default: Kraken's BTC/USD. */
  readonly instruments?: readonly Instrument[];
  readonly clock?: Clock;
  /** See `FakeExecutionClientOptions.autoRespond`; default false. */
  readonly autoRespond?: boolean;
  readonly balances?: Readonly<Record<string, DecimalLike>>;
  /** See `FakeMarketDataClientOptions.history`: without it the fake venue keeps no history. */
  readonly history?: FakeMarketDataClientOptions['history'];
}

/** A fake exchange: the execution client checks orders against the fake instrument provider. */
export function createFakeExchange(options: FakeExchangeOptions = {}): FakeExchange {
  const instruments = new FakeInstrumentProvider(options.instruments);
  return Object.freeze({
    id: options.id ?? 'fake',
    instruments,
    data: new FakeMarketDataClient(options.history === undefined ? {} : { history: options.history }),
    execution: new FakeExecutionClient({
      instruments: (id) => instruments.get(id),
      autoRespond: options.autoRespond ?? false,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.balances === undefined ? {} : { balances: options.balances }),
    }),
  });
}
