import type { Clock } from '../clock/clock.js';
import type { Exchange } from '../exchange/exchange.js';
import type { DecimalLike } from '../model/decimal.js';
import type { Instrument } from '../model/instrument.js';
import { FakeExecutionClient } from './fake-execution-client.js';
import { FakeInstrumentProvider } from './fake-instrument-provider.js';
import { FakeMarketDataClient } from './fake-market-data-client.js';

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
}

/** A fake exchange: the execution client checks orders against the fake instrument provider. */
export function createFakeExchange(options: FakeExchangeOptions = {}): FakeExchange {
  const instruments = new FakeInstrumentProvider(options.instruments);
  return Object.freeze({
    id: options.id ?? 'fake',
    instruments,
    data: new FakeMarketDataClient(),
    execution: new FakeExecutionClient({
      instruments: (id) => instruments.get(id),
      autoRespond: options.autoRespond ?? false,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.balances === undefined ? {} : { balances: options.balances }),
    }),
  });
}
