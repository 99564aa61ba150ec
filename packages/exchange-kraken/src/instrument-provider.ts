import type { Instrument, InstrumentId, InstrumentProvider, Logger } from '@kbot/core';
import { parseAssetPairs } from './parse/asset-pairs.js';
import type { KrakenRestClient } from './rest/rest-client.js';

/**
 * Kraken's instruments from AssetPairs: tick and lot size, minimums and the fee rates of the
 * account's tier. Loaded at start-up (before any book message, whose checksum needs the
 * precisions) and reloadable; a pair Kraken lists but kbot cannot parse is logged and skipped.
 */
export class KrakenInstrumentProvider implements InstrumentProvider {
  private byId = new Map<InstrumentId, Instrument>();

  constructor(
    private readonly rest: Pick<KrakenRestClient, 'assetPairs'>,
    private readonly options: { thirtyDayVolume?: string; logger?: Logger } = {},
  ) {}

  async load(): Promise<readonly Instrument[]> {
    const result = await this.rest.assetPairs();
    const instruments = parseAssetPairs(result, {
      ...(this.options.thirtyDayVolume === undefined ? {} : { thirtyDayVolume: this.options.thirtyDayVolume }),
      onInvalidPair: (pair, error) => this.options.logger?.warn('Kraken pair skipped: it could not be parsed', { pair, error: error.message }),
    });
    this.byId = new Map(instruments.map((instrument) => [instrument.id, instrument]));
    return instruments;
  }

  get(id: InstrumentId): Instrument | undefined {
    return this.byId.get(id);
  }

  list(): readonly Instrument[] {
    return [...this.byId.values()];
  }
}
