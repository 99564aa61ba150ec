import type { InstrumentProvider } from '../exchange/exchange.js';
import type { InstrumentId } from '../model/ids.js';
import type { Instrument } from '../model/instrument.js';
import { btcUsd } from './instrument-fixtures.js';

/**
 * An instrument provider over a list the test controls: `set` adds or replaces an instrument
 * (to change its rules or status mid-test), `remove` delists it, `loads` counts `load()` calls.
 */
export class FakeInstrumentProvider implements InstrumentProvider {
  private readonly byId = new Map<InstrumentId, Instrument>();
  private loadCount = 0;

  /** Default: Kraken's BTC/USD. */
  constructor(instruments: readonly Instrument[] = [btcUsd()]) {
    for (const instrument of instruments) this.byId.set(instrument.id, instrument);
  }

  get loads(): number {
    return this.loadCount;
  }

  async load(): Promise<readonly Instrument[]> {
    this.loadCount++;
    return this.list();
  }

  get(id: InstrumentId): Instrument | undefined {
    return this.byId.get(id);
  }

  list(): readonly Instrument[] {
    return Object.freeze([...this.byId.values()]);
  }

  set(instrument: Instrument): void {
    this.byId.set(instrument.id, instrument);
  }

  remove(id: InstrumentId | string): boolean {
    return this.byId.delete(id as InstrumentId);
  }
}
