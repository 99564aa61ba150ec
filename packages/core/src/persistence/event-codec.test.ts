import { describe, expect, it } from 'vitest';
import { InvariantError } from '../errors/errors.js';
import { Decimal, isDecimal } from '../model/decimal.js';
import type { OrderFilled, OrderSubmitted, PositionClosed } from '../model/events.js';
import { sampleJournal } from '../testing/journal-builder.js';
import { decodeEvent, decodeValue, encodeEvent, encodeValue, JOURNALED_EVENT_TYPES } from './event-codec.js';
import { everyJournaledEvent } from './every-event.fixture.js';

function roundTrip<T>(value: T): T {
  return decodeValue(encodeValue(value)) as T;
}

describe('event codec', () => {
  it('the fixture covers every journaled event type', () => {
    expect(new Set(everyJournaledEvent().map((event) => event.type))).toEqual(new Set(JOURNALED_EVENT_TYPES));
  });

  it('every journaled event type decodes strictly equal to what was encoded', () => {
    for (const event of everyJournaledEvent()) {
      expect(decodeEvent(encodeEvent(event)), event.type).toStrictEqual(event);
    }
    for (const event of sampleJournal(20)) expect(decodeEvent(encodeEvent(event))).toStrictEqual(event);
  });

  it('decoded money fields are kbot Decimals with exactly the same value', () => {
    const events = everyJournaledEvent();
    const submitted = decodeEvent(encodeEvent(events.find((event) => event.type === 'order-submitted')!)) as OrderSubmitted;
    expect(isDecimal(submitted.command.price)).toBe(true);
    expect(submitted.command.price!.toFixed()).toBe('42123.123456789012345678901234567890123456');
    expect(submitted.command.price!.constructor).toBe(Decimal);
    // arithmetic on a decoded Decimal uses kbot's precision, not decimal.js's default 20 digits
    expect(submitted.command.price!.times(1).toFixed()).toBe('42123.12345678901234567890123456789012346');

    const filled = decodeEvent(encodeEvent(events.find((event) => event.type === 'order-filled')!)) as OrderFilled;
    expect(filled.fill.fee.equals(new Decimal('0.00000000000000000000000000000000001'))).toBe(true);
    expect(filled.order.fees['$odd']!.isNegative() && filled.order.fees['$odd']!.isZero()).toBe(true);

    const closed = decodeEvent(encodeEvent(events.find((event) => event.type === 'position-closed')!)) as PositionClosed;
    expect(closed.position.realizedPnl.toFixed()).toBe('-123456789012345678901234567890.123456789');
    expect(closed.roundTrip.netPnl.toFixed()).toBe('-1.25');
  });

  it('writes Decimals as tagged exact strings and keeps undefined fields', () => {
    const text = encodeValue({ price: new Decimal('40010.50'), tag: undefined, list: [undefined, 1] });
    expect(text).toBe('{"price":{"$decimal":"40010.5"},"tag":{"$undefined":true},"list":[{"$undefined":true},1]}');
    const decoded = decodeValue(text) as Record<string, unknown>;
    expect(Object.keys(decoded)).toEqual(['price', 'tag', 'list']);
    expect(decoded['tag']).toBeUndefined();
    expect(decoded['list']).toStrictEqual([undefined, 1]);
  });

  it('keeps NaN, infinities, negative zero and bigints', () => {
    const decoded = roundTrip({ a: Number.NaN, b: Number.POSITIVE_INFINITY, c: Number.NEGATIVE_INFINITY, d: -0, e: 12n ** 30n, f: -7n, g: 1.5 });
    expect(decoded.a).toBeNaN();
    expect(decoded.b).toBe(Number.POSITIVE_INFINITY);
    expect(decoded.c).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(decoded.d, -0)).toBe(true);
    expect(decoded.e).toBe(12n ** 30n);
    expect(decoded.f).toBe(-7n);
    expect(decoded.g).toBe(1.5);
  });

  it('keeps keys that start with $, even ones that look like tags', () => {
    const value = { $decimal: 'not money', $$x: 1, nested: { $undefined: true }, __proto__key: { $bigint: 5 } };
    expect(roundTrip(value)).toStrictEqual(value);
    const withProto = JSON.parse('{"__proto__": {"polluted": true}, "$a": 1}') as Record<string, unknown>;
    const decoded = roundTrip(withProto) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__', '$a']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('freezes every decoded object and array', () => {
    const filled = decodeEvent(encodeEvent(everyJournaledEvent().find((event) => event.type === 'order-filled')!)) as OrderFilled;
    expect(Object.isFrozen(filled)).toBe(true);
    expect(Object.isFrozen(filled.order)).toBe(true);
    expect(Object.isFrozen(filled.order.fees)).toBe(true);
    expect(Object.isFrozen(filled.order.features)).toBe(true);
    expect(Object.isFrozen(filled.fill)).toBe(true);
    expect(Object.isFrozen(decodeValue('[[1],{"a":[]}]'))).toBe(true);
    expect(Object.isFrozen((decodeValue('[[1],{"a":[]}]') as unknown[][])[0])).toBe(true);
  });

  it('refuses values that would not come back as they went in, naming the key', () => {
    expect(() => encodeValue({ when: new Date(0) })).toThrow(InvariantError);
    expect(() => encodeValue({ when: new Date(0) })).toThrow(/key "when": received a Date/);
    expect(() => encodeValue({ seen: new Set([1]) })).toThrow(/key "seen": received a Set/);
    expect(() => encodeValue({ run: () => 1 })).toThrow(/key "run": received a function/);
  });

  it('refuses to encode an event type that is not journaled', () => {
    const bar = { type: 'bar-closed', time: 0, sequence: 1 } as unknown as Parameters<typeof encodeEvent>[0];
    expect(() => encodeEvent(bar)).toThrow(/bar-closed.*not a journaled event type/);
  });

  it('refuses stored text that is not a journaled event, naming where it came from', () => {
    expect(() => decodeEvent('{"type":"bar-closed","time":1,"sequence":1}', 'kbot.sqlite journal sequence 1')).toThrow(/kbot.sqlite journal sequence 1: type: received "bar-closed"/);
    expect(() => decodeEvent('{"type":"engine-started","time":1,"mode":"live"}', 'row 9')).toThrow(/row 9: sequence: received undefined/);
    expect(() => decodeEvent('{"type":"engine-started","time":1,"sequence":1,"x":{"$decimal":"abc"}}', 'row 3')).toThrow(/row 3: cannot decode.*\$decimal holds "abc"/);
    expect(() => decodeEvent('{"type":', 'row 4')).toThrow(/row 4: cannot decode/);
    expect(() => decodeEvent('[1]', 'row 5')).toThrow(/row 5: received an array/);
  });
});
