import { describe, expect, it } from 'vitest';
import { Decimal } from '../model/decimal.js';
import { DAY_MS } from '../model/time.js';
import { FEE_VOLUME_WINDOW_MS, TrailingVolume } from './trailing-volume.js';

describe('TrailingVolume', () => {
  it('sums the amounts of the last 30 days: (at − 30 days, at]', () => {
    const volume = new TrailingVolume();
    volume.add(0, new Decimal('100'));
    volume.add(DAY_MS, new Decimal('250.5'));
    expect(volume.total(DAY_MS).toFixed()).toBe('350.5');
    expect(volume.total(DAY_MS - 1).toFixed()).toBe('100');
    expect(volume.total(FEE_VOLUME_WINDOW_MS - 1).toFixed()).toBe('350.5');
    expect(volume.total(FEE_VOLUME_WINDOW_MS).toFixed()).toBe('250.5');
    expect(volume.total(FEE_VOLUME_WINDOW_MS + DAY_MS).toFixed()).toBe('0');
  });

  it('keeps amounts that arrive out of time order in their place', () => {
    const volume = new TrailingVolume(10);
    volume.add(5, new Decimal(1));
    volume.add(20, new Decimal(2));
    volume.add(12, new Decimal(4));
    expect(volume.total(12).toFixed()).toBe('5');
    expect(volume.total(20).toFixed()).toBe('6');
    expect(volume.total(22).toFixed()).toBe('2');
  });

  it('forgets amounts no query can reach any more, and still sums right', () => {
    const volume = new TrailingVolume(10);
    for (let time = 0; time < 1000; time += 1) volume.add(time, new Decimal(1));
    expect(volume.size).toBeLessThan(50);
    expect(volume.total(999).toFixed()).toBe('10');
  });

  it('refuses a window that is not a positive duration', () => {
    expect(() => new TrailingVolume(0)).toThrow(/windowMs: received 0/);
  });
});
