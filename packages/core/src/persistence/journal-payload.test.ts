import { describe, expect, it } from 'vitest';
import { InvariantError } from '../errors/errors.js';
import type { JournaledEvent, OrderSubmitted } from '../model/events.js';
import { Decimal } from '../model/decimal.js';
import { encodeEvent } from './event-codec.js';
import { engineEvents } from './engine-events.fixture.js';
import { everyJournaledEvent } from './every-event.fixture.js';
import { decodeJournalPayload, encodeJournalPayload, isCompactPayload } from './journal-payload.js';

/** The same event: equal values, and the same keys in the same order at every level (the tagged JSON form says both). */
function expectSameEvent(decoded: JournaledEvent, original: JournaledEvent): void {
  expect(decoded).toStrictEqual(original);
  expect(encodeEvent(decoded)).toBe(encodeEvent(original));
  expect(Object.isFrozen(decoded)).toBe(true);
}

function withField<T extends object>(value: T, key: string, field: unknown): T {
  return Object.freeze({ ...value, [key]: field });
}

describe('journal payloads', () => {
  it('writes the engine\'s order and position events compactly and reads back the same events', async () => {
    const events = await engineEvents();
    const types = new Set<string>();
    let compact = 0;
    let compactBytes = 0;
    let jsonBytes = 0;
    for (const event of events) {
      const payload = encodeJournalPayload(event);
      if (isCompactPayload(payload)) {
        compact++;
        types.add(event.type);
        compactBytes += payload.length;
        jsonBytes += encodeEvent(event).length;
      }
      expectSameEvent(decodeJournalPayload(payload, `event ${event.sequence}`), event);
    }
    // Every order and position event the engine made took the compact form: none fell back.
    expect(compact).toBe(events.filter((event) => event.type.startsWith('order-') || event.type.startsWith('position-')).length);
    expect([...types].sort()).toEqual(['order-accepted', 'order-expired', 'order-filled', 'order-submitted', 'position-changed', 'position-closed', 'position-opened']);
    expect(compact).toBeGreaterThan(200);
    expect(compactBytes).toBeLessThan(jsonBytes / 2.5);
  });

  it('reads back one event of every journaled type, written in whichever form fits', () => {
    for (const event of everyJournaledEvent()) {
      expectSameEvent(decodeJournalPayload(encodeJournalPayload(event)), event);
    }
  });

  it('falls back to JSON, and keeps the event, for what the compact form cannot hold', async () => {
    const submitted = (await engineEvents()).find((event): event is OrderSubmitted => event.type === 'order-submitted' && event.order.features !== undefined)!;
    expect(isCompactPayload(encodeJournalPayload(submitted))).toBe(true);
    const order = submitted.order;
    const variants: JournaledEvent[] = [
      withField(submitted, 'order', withField(order, 'tag', 'entry\u001fexit')),
      withField(submitted, 'order', withField(order, 'tag', '\u0000')),
      withField(submitted, 'order', withField(order, 'features', Object.freeze({ rsi: Number.NaN }))),
      withField(submitted, 'order', withField(order, 'features', Object.freeze({ rsi: -0 }))),
      withField(submitted, 'order', withField(order, 'features', Object.freeze({ ['__proto__']: 1 }))),
      withField(submitted, 'order', withField(order, 'features', Object.freeze({ 'a\u001db': 1 }))),
      withField(submitted, 'order', withField(order, 'addedLater', 'a field the schema does not know')),
      withField(submitted, 'time', -0),
      // The same fields with strategyId moved first: another key order.
      withField(submitted, 'order', Object.freeze(Object.fromEntries([['strategyId', order.strategyId], ...Object.entries(order)]))),
      withField(submitted, 'order', withField(order, 'quantity', '0.01')),
    ];
    for (const variant of variants) {
      const payload = encodeJournalPayload(variant);
      expect(payload.startsWith('{'), payload.slice(0, 80)).toBe(true);
      expectSameEvent(decodeJournalPayload(payload), variant);
    }
  });

  it('checks every new text of a field, also right after the same field held a valid one', async () => {
    const submitted = (await engineEvents()).find((event): event is OrderSubmitted => event.type === 'order-submitted')!;
    const withTag = (tag: string | undefined) => withField(submitted, 'order', withField(submitted.order, 'tag', tag));
    const sequence = [withTag('entry'), withTag('entry'), withTag('entry\u001f'), withTag('entry'), withTag(undefined), withTag('\u0001'), withTag('exit')];
    const compact = sequence.map((event) => {
      const payload = encodeJournalPayload(event);
      expectSameEvent(decodeJournalPayload(payload), event);
      return isCompactPayload(payload);
    });
    expect(compact).toEqual([true, true, false, true, true, false, true]);
  });

  it('keeps empty records, absent values and negative zero', async () => {
    const submitted = (await engineEvents()).find((event): event is OrderSubmitted => event.type === 'order-submitted' && event.order.features !== undefined)!;
    const variant = withField(submitted, 'order', withField(withField(submitted.order, 'features', Object.freeze({})), 'filledQuantity', submitted.order.filledQuantity.negated().times(0)));
    expect(variant.order.filledQuantity.isNegative()).toBe(true);
    const payload = encodeJournalPayload(variant);
    expect(isCompactPayload(payload)).toBe(true);
    const decoded = decodeJournalPayload(payload) as OrderSubmitted;
    expectSameEvent(decoded, variant);
    expect(decoded.order.filledQuantity.isNegative()).toBe(true);
    expect(decoded.order.price).toBeUndefined();
    expect(Object.keys(decoded.order)).toContain('price');
  });

  it('writes every Decimal as the very text its toString gives, around the exponent-notation bounds too', async () => {
    const submitted = (await engineEvents()).find((event): event is OrderSubmitted => event.type === 'order-submitted')!;
    const texts = ['1', '0.1', '5000000', '10000000', '0.00000001', '30312.4', '1234567.1234567', '-0.5', '-30312.45', '1e-29', '1.5e-30', '1e-30', '9.99e39', '1e40', '123456789012345678901234567890.123456789',
      '4906.614157858', '0.0000001', '0.000000123', '19651.85105271570848456684222060959201279', '1000000.1', '10000000000000.00000001', '70000000', '0.70000000',
      // longer than kbot's precision (a constructor keeps every digit), and not finite
      '123456789012345678901234567890123456789012345678901234567890.1230', 'NaN', 'Infinity', '-Infinity'];
    let seed = 11;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let index = 0; index < 2_000; index++) {
      const digits = Array.from({ length: 1 + Math.floor(random() * 30) }, (_, at) => (at === 0 ? 1 + Math.floor(random() * 9) : Math.floor(random() * 10))).join('');
      texts.push(`${random() < 0.3 ? '-' : ''}${digits}e${Math.floor(random() * 80) - 40}`);
    }
    for (const text of texts) {
      const quantity = new Decimal(text);
      const payload = encodeJournalPayload(withField(submitted, 'order', withField(submitted.order, 'quantity', quantity)));
      expect(isCompactPayload(payload)).toBe(true);
      expect(payload.split('\u001f'), text).toContain(quantity.toString());
      expect((decodeJournalPayload(payload) as OrderSubmitted).order.quantity.toString(), text).toBe(quantity.toString());
    }
  });

  it('names the source, the field and what was expected when a compact payload does not read', async () => {
    const accepted = (await engineEvents()).find((event) => event.type === 'order-accepted')!;
    const payload = encodeJournalPayload(accepted);
    const fields = payload.slice(2).split('\u001f');
    const changed = (index: number, text: string): string => `\u00021${fields.map((field, at) => (at === index ? text : field)).join('\u001f')}`;
    const where = 'kbot.sqlite journal sequence 7';
    expect(() => decodeJournalPayload(changed(1, 'soon'), where)).toThrow(new InvariantError(`${where}: field time: received "soon", expected a finite number`));
    // order.quantity is the 12th field: type, time, sequence, 3 ids, then the order's 6th.
    expect(() => decodeJournalPayload(changed(11, '1.2.3'), where)).toThrow(new InvariantError(`${where}: field order.quantity: received "1.2.3", expected a decimal number`));
    expect(() => decodeJournalPayload(changed(14, 'yes'), where)).toThrow(new InvariantError(`${where}: field order.postOnly: received "yes", expected 1 or 0`));
    expect(() => decodeJournalPayload(changed(11, '\u0000'), where)).toThrow(/field order\.quantity: received "\\u0000", expected a value \(decimal\)/);
    expect(() => decodeJournalPayload(changed(0, 'order-exploded'), where)).toThrow(/field type: received "order-exploded", expected a journaled event type with a compact form/);
    expect(() => decodeJournalPayload(fields.slice(0, -1).join('\u001f').replace(/^/, '\u00021'), where)).toThrow(/field order\.reason: missing/);
    expect(() => decodeJournalPayload(`${payload}\u001fextra`, where)).toThrow(/fields, expected \d+ for order-accepted/);
    expect(() => decodeJournalPayload(changed(2, '0'), where)).toThrow(/sequence: received 0, expected a whole number of 1 or more/);
  });
});
