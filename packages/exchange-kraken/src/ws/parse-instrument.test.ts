import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLosslessJson } from './lossless-json.js';
import { parseInstrumentMessage, parseInstrumentPair } from './parse-instrument.js';
import { isRecord } from './ws-fields.js';

const shared = process.env.KBOT_SHARED_DATA ?? '';

describe('parseInstrumentPair', () => {
  it('builds the Instrument and the checksum precisions, with exact increments and minimums', () => {
    const pair = parseInstrumentPair(
      parseLosslessJson(
        '{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online","qty_precision":8,"qty_increment":1e-08,"price_precision":1,"cost_precision":5,"marginable":true,"has_index":true,"cost_min":0.5,"tick_size":0.1,"price_increment":0.1,"qty_min":0.0001}',
      ),
    );
    expect(pair.symbol).toBe('BTC/USD');
    expect(pair.precision).toEqual({ pricePrecision: 1, quantityPrecision: 8 });
    const { instrument } = pair;
    expect(instrument).toMatchObject({ id: 'BTC/USD', base: 'BTC', quote: 'USD', venueSymbol: 'XBTUSD', pricePrecision: 1, quantityPrecision: 8, status: 'online' });
    expect([instrument.priceIncrement, instrument.quantityIncrement, instrument.minQuantity, instrument.minCost].map((value) => value.toFixed())).toEqual(['0.1', '0.00000001', '0.0001', '0.5']);
  });

  it('maps restricted statuses and takes anything unknown as offline', () => {
    const base = { symbol: 'ETH/USD', price_precision: 2, qty_precision: 8 };
    expect(parseInstrumentPair({ ...base, status: 'post_only' }).instrument.status).toBe('post-only');
    expect(parseInstrumentPair({ ...base, status: 'maintenance' })).toMatchObject({ venueStatus: 'maintenance', instrument: { status: 'offline' } });
  });

  it('names the pair and field that are wrong', () => {
    expect(() => parseInstrumentPair({ symbol: 'ETH/USD', price_precision: 'two', qty_precision: 8 })).toThrow('Kraken WebSocket instrument ETH/USD.price_precision: received "two", expected a number');
  });
});

// The snapshot lives in ../shared/data, which is not part of the repository.
describe.skipIf(!shared)('parseInstrumentMessage on a recorded v2 instrument snapshot (kraken-data-recorder, 2024)', () => {
  it('reads all 683 pairs and 296 assets, BTC/USD at precisions 1 / 8', () => {
    const message = parseLosslessJson(readFileSync(join(shared, 'ws/kraken/v2/instrument_snapshot.json'), 'utf8'));
    if (!isRecord(message)) throw new Error('expected an object');
    const skipped: string[] = [];
    const parsed = parseInstrumentMessage('snapshot', message.data, (what) => skipped.push(what));
    expect(skipped).toEqual([]);
    expect(parsed.pairs).toHaveLength(683);
    expect(parsed.assets).toHaveLength(296);
    const btc = parsed.pairs.find((pair) => pair.symbol === 'BTC/USD')!;
    expect(btc.precision).toEqual({ pricePrecision: 1, quantityPrecision: 8 });
    expect(btc.instrument.minQuantity.toFixed()).toBe('0.0001');
  });
});

describe('parseInstrumentMessage', () => {
  it('skips and reports a pair it cannot read instead of failing the snapshot', () => {
    const skipped: string[] = [];
    const parsed = parseInstrumentMessage('update', { pairs: [{ symbol: 'BTC/USD', price_precision: 1, qty_precision: 8 }, { symbol: 'BAD/USD' }], assets: [] }, (what) => skipped.push(what));
    expect(parsed.pairs.map((pair) => pair.symbol)).toEqual(['BTC/USD']);
    expect(skipped).toEqual(['instrument.pairs BAD/USD']);
  });
});
