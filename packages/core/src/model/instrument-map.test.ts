import { describe, expect, it } from 'vitest';
import { instrumentId } from './ids.js';
import { InstrumentMap } from './instrument-map.js';

describe('InstrumentMap', () => {
  const btc = instrumentId('BTC/USD');
  const eth = instrumentId('ETH/USD');

  it('answers every instrument with its own value, whichever was asked last', () => {
    const map = new InstrumentMap<{ name: string }>();
    expect(map.get(btc)).toBeUndefined();
    const first = { name: 'btc' };
    const second = { name: 'eth' };
    map.set(btc, first);
    map.set(eth, second);
    expect(map.get(btc)).toBe(first);
    expect(map.get(btc)).toBe(first);
    expect(map.get(eth)).toBe(second);
    expect(map.get(btc)).toBe(first);
  });

  it('a value set again replaces the one the last lookup remembered', () => {
    const map = new InstrumentMap<number>();
    map.set(btc, 1);
    expect(map.get(btc)).toBe(1);
    map.set(btc, 3);
    expect(map.get(btc)).toBe(3);
    map.set(eth, 2);
    expect(map.get(eth)).toBe(2);
    expect(map.get(btc)).toBe(3);
    // an instrument never set is not confused with the one asked last
    expect(map.get(instrumentId('SOL/USD'))).toBeUndefined();
    expect(map.get(btc)).toBe(3);
  });
});
