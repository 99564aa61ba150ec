import { describe, expect, it } from 'vitest';
import { InvariantError } from '../errors/errors.js';
import { VenueIdGenerator, formatVenueId } from './venue-ids.js';

const KRAKEN_SHAPE = /^[OT][A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{6}$/;

describe('venue ids', () => {
  it('shapes counters like Kraken txids, in base 36', () => {
    expect(formatVenueId('O', '', 1)).toBe('O00000-00000-000001');
    expect(formatVenueId('T', '', 36)).toBe('T00000-00000-000010');
    expect(formatVenueId('O', 'PAPER1', 35)).toBe('OPAPER-10000-00000Z');
    expect(formatVenueId('O', 'PAPER1', 35)).toMatch(KRAKEN_SHAPE);
  });

  it('counts orders and trades separately, from 1', () => {
    const ids = new VenueIdGenerator('SIM');
    expect([ids.nextOrderId(), ids.nextTradeId(), ids.nextOrderId()]).toEqual(['OSIM00-00000-000001', 'TSIM00-00000-000001', 'OSIM00-00000-000002']);
  });

  it('refuses a prefix that would break the shape, and a counter that no longer fits', () => {
    expect(() => new VenueIdGenerator('sim')).toThrow(/idPrefix: received "sim"/);
    expect(() => new VenueIdGenerator('ABCDEFGHI')).toThrow(/up to 8 characters/);
    expect(() => formatVenueId('O', 'ABCDEFGH', 36 ** 8)).toThrow(InvariantError);
  });
});
