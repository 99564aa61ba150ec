import type { InstrumentId } from '../model/ids.js';
import type { Instrument } from '../model/instrument.js';
import type { InstrumentProvider } from './exchange.js';

/** An instrument provider over a fixed list (backtests, tests, the simulator). */
export class StaticInstrumentProvider implements InstrumentProvider {
  private readonly byId: Map<InstrumentId, Instrument>;

  constructor(instruments: readonly Instrument[]) {
    this.byId = new Map(instruments.map((instrument) => [instrument.id, instrument]));
  }

  async load(): Promise<readonly Instrument[]> {
    return this.list();
  }

  get(id: InstrumentId): Instrument | undefined {
    return this.byId.get(id);
  }

  list(): readonly Instrument[] {
    return [...this.byId.values()];
  }

  /** A provider with `overrides` replacing or adding to these instruments. */
  with(overrides: readonly Instrument[]): StaticInstrumentProvider {
    return new StaticInstrumentProvider([...this.byId.values(), ...overrides].filter((instrument, index, all) =>
      all.findLastIndex((other) => other.id === instrument.id) === index));
  }
}
