import { encodeValue, decodeValue } from '../persistence/event-codec.js';
import type { KbotEvent, OrderEvent } from '../model/events.js';
import type { InstrumentId } from '../model/ids.js';
import type { Bar, BookHealth, BookView, Quote, Trade } from '../model/market-data.js';
import type { EpochMs } from '../model/time.js';

/**
 * One line of a flight recording. `at` is when the message reached the process (wall clock, ms);
 * market data keeps its own times inside. Numbers are written as JavaScript prints them (the
 * shortest text that reads back to the same double), so a replay sees the very same values.
 *
 * - `{"k":"bar","at":…,"i":"BTC/USD","iv":60000,"t":openTime,"o":…,"h":…,"l":…,"c":…,"v":…,"n":trades?}`
 * - `{"k":"warm-up",…}`: the same fields, a bar of history the session handed its strategies at
 *   start (`Engine.warmUp`), before any live data
 * - `{"k":"trade","at":…,"i":…,"t":…,"p":…,"q":…,"s":"buy"|"sell"|null,"id":"…"?}`
 * - `{"k":"quote","at":…,"i":…,"t":…,"b":…,"bs":…,"a":…,"as":…}`
 * - `{"k":"book","at":…,"i":…,"t":…,"b":[price,qty]|null,"a":[price,qty]|null}`: top of book only
 * - `{"k":"event","at":…,"e":{…}}`: an order event, Decimals as `{"$decimal":"…"}` (event-codec)
 * - `{"k":"operator","at":…,"c":"panic","by":"operator:…","f":true|false}` and
 *   `{"k":"operator","at":…,"c":"resume","by":"operator:…","r":"…"?}`: an operator's command to
 *   the running bot (`kbot panic`, `kbot resume`, `kbot run --resume`), where it came between
 *   the messages; a parity replay gives the same command at the same point (since format version 2)
 * - `{"k":"book-health","at":…,"i":…,"t":…,"s":"resync"|"synced","m":mismatches,"r":resyncs,"age":ms,"why":"…"?,"b":"l3"?}`:
 *   the venue's report on one of its books (BookHealth); a parity replay gives it to the replay's
 *   risk policies at the same point (since format version 3)
 */
export type RecordedEntry =
  | { readonly kind: 'bar'; readonly at: EpochMs; readonly bar: Bar }
  | { readonly kind: 'warm-up'; readonly at: EpochMs; readonly bar: Bar }
  | { readonly kind: 'trade'; readonly at: EpochMs; readonly trade: Trade }
  | { readonly kind: 'quote'; readonly at: EpochMs; readonly quote: Quote }
  | { readonly kind: 'book'; readonly at: EpochMs; readonly instrumentId: InstrumentId; readonly time: EpochMs; readonly bid: readonly [number, number] | null; readonly ask: readonly [number, number] | null }
  | { readonly kind: 'event'; readonly at: EpochMs; readonly event: OrderEvent }
  | { readonly kind: 'operator'; readonly at: EpochMs; readonly action: RecordedOperatorAction }
  | { readonly kind: 'book-health'; readonly at: EpochMs; readonly health: BookHealth };

/**
 * An operator's command to a running bot. Not market data and not decided by the bot, so a replay
 * cannot work it out: it is recorded, and given to the replay where the session got it.
 */
export type RecordedOperatorAction =
  | { readonly command: 'panic'; readonly actor: string; readonly flatten: boolean }
  | { readonly command: 'resume'; readonly actor: string; readonly reason?: string };

/**
 * What a replay is given between its data items because it cannot work it out from them: an
 * operator's command, or the venue's report on one of its books (whose messages are not replayed).
 */
export type RecordedSessionInput = RecordedOperatorAction | { readonly command: 'book-health'; readonly health: BookHealth };

// JSON has no NaN or Infinity: such a value is written as null (and a replay then refuses it).
const num = (value: number): number | null => (Number.isFinite(value) ? value : null);

/** Quoted instrument ids, cached: ids are few and quoting them per message would be waste. */
const quoted = new Map<string, string>();
function quote(id: string): string {
  let text = quoted.get(id);
  if (text === undefined) {
    text = JSON.stringify(id);
    quoted.set(id, text);
  }
  return text;
}

export function barLine(at: number, bar: Bar, kind: 'bar' | 'warm-up' = 'bar'): string {
  return `{"k":"${kind}","at":${at},"i":${quote(bar.instrumentId)},"iv":${num(bar.interval)},"t":${num(bar.openTime)},"o":${num(bar.open)},"h":${num(bar.high)},"l":${num(bar.low)},"c":${num(bar.close)},"v":${num(bar.volume)}${bar.trades === undefined ? '' : `,"n":${num(bar.trades)}`}}`;
}

export function tradeLine(at: number, trade: Trade): string {
  const side = trade.side === undefined ? 'null' : `"${trade.side}"`;
  return `{"k":"trade","at":${at},"i":${quote(trade.instrumentId)},"t":${num(trade.time)},"p":${num(trade.price)},"q":${num(trade.quantity)},"s":${side}${trade.tradeId === undefined ? '' : `,"id":${JSON.stringify(trade.tradeId)}`}}`;
}

export function quoteLine(at: number, q: Quote): string {
  return `{"k":"quote","at":${at},"i":${quote(q.instrumentId)},"t":${num(q.time)},"b":${num(q.bid)},"bs":${num(q.bidSize)},"a":${num(q.ask)},"as":${num(q.askSize)}}`;
}

export function bookLine(at: number, book: BookView): string {
  const bid = book.bestBid();
  const ask = book.bestAsk();
  return `{"k":"book","at":${at},"i":${quote(book.instrumentId)},"t":${num(book.time)},"b":${bid ? `[${num(bid.price)},${num(bid.quantity)}]` : 'null'},"a":${ask ? `[${num(ask.price)},${num(ask.quantity)}]` : 'null'}}`;
}

/** Order events are rare next to market data: the journal's codec keeps their Decimals exact. */
export function eventLine(at: number, event: KbotEvent): string {
  return `{"k":"event","at":${at},"e":${encodeValue(event)}}`;
}

/** Operator commands are rare and their texts come from outside: written with JSON.stringify. */
export function operatorLine(at: number, action: RecordedOperatorAction): string {
  return JSON.stringify(
    action.command === 'panic'
      ? { k: 'operator', at, c: 'panic', by: action.actor, f: action.flatten }
      : { k: 'operator', at, c: 'resume', by: action.actor, ...(action.reason === undefined ? {} : { r: action.reason }) },
  );
}

/** Book-health reports are rare (a resync, a snapshot): written with JSON.stringify. */
export function bookHealthLine(at: number, health: BookHealth): string {
  return JSON.stringify({
    k: 'book-health',
    at,
    i: health.instrumentId,
    t: health.time,
    s: health.status,
    m: health.mismatches,
    r: health.resyncs,
    age: health.ageMs,
    ...(health.reason === undefined ? {} : { why: health.reason }),
    ...(health.book === undefined ? {} : { b: health.book }),
  });
}

const EVENT_PREFIX = '{"k":"event","at":';

/** Reads one line back; throws (SyntaxError or Error naming the problem) when it is not one. */
export function parseRecordedLine(line: string): RecordedEntry {
  if (line.startsWith(EVENT_PREFIX)) {
    const comma = line.indexOf(',"e":', EVENT_PREFIX.length);
    if (comma < 0 || !line.endsWith('}')) throw new Error('an event line without its "e" field');
    const at = Number(line.slice(EVENT_PREFIX.length, comma));
    const event = decodeValue(line.slice(comma + 5, -1)) as OrderEvent;
    if (!Number.isFinite(at) || typeof event !== 'object' || event === null || typeof event.type !== 'string') throw new Error('an event line without a time or an event');
    return { kind: 'event', at, event };
  }
  const raw = JSON.parse(line) as Record<string, unknown>;
  const at = raw.at as number;
  const instrumentId = raw.i as InstrumentId;
  switch (raw.k) {
    case 'bar':
    case 'warm-up':
      return {
        kind: raw.k,
        at,
        bar: {
          instrumentId, interval: finite(raw.iv, 'iv'), openTime: finite(raw.t, 't'),
          open: finite(raw.o, 'o'), high: finite(raw.h, 'h'), low: finite(raw.l, 'l'), close: finite(raw.c, 'c'), volume: finite(raw.v, 'v'),
          ...(raw.n === undefined ? {} : { trades: finite(raw.n, 'n') }),
        },
      };
    case 'trade':
      return {
        kind: 'trade',
        at,
        trade: {
          instrumentId, time: finite(raw.t, 't'), price: finite(raw.p, 'p'), quantity: finite(raw.q, 'q'),
          side: raw.s === 'buy' || raw.s === 'sell' ? raw.s : undefined,
          ...(typeof raw.id === 'string' ? { tradeId: raw.id } : {}),
        },
      };
    case 'quote':
      return {
        kind: 'quote',
        at,
        quote: { instrumentId, time: finite(raw.t, 't'), bid: finite(raw.b, 'b'), bidSize: finite(raw.bs, 'bs'), ask: finite(raw.a, 'a'), askSize: finite(raw.as, 'as') },
      };
    case 'book':
      return { kind: 'book', at, instrumentId, time: finite(raw.t, 't'), bid: (raw.b ?? null) as [number, number] | null, ask: (raw.a ?? null) as [number, number] | null };
    case 'operator':
      return { kind: 'operator', at: finite(raw.at, 'at'), action: operatorAction(raw) };
    case 'book-health':
      return { kind: 'book-health', at: finite(raw.at, 'at'), health: bookHealthOf(raw) };
    default:
      throw new Error(`unknown kind ${JSON.stringify(raw.k)}`);
  }
}

function operatorAction(raw: Record<string, unknown>): RecordedOperatorAction {
  const actor = raw.by;
  if (typeof actor !== 'string') throw new Error(`field "by" is ${JSON.stringify(actor)}, expected the operator's name as a string`);
  if (raw.c === 'panic') {
    if (typeof raw.f !== 'boolean') throw new Error(`field "f" is ${JSON.stringify(raw.f)}, expected true or false (whether the panic flattened positions)`);
    return { command: 'panic', actor, flatten: raw.f };
  }
  if (raw.c === 'resume') {
    if (raw.r !== undefined && typeof raw.r !== 'string') throw new Error(`field "r" is ${JSON.stringify(raw.r)}, expected the reason as a string`);
    return raw.r === undefined ? { command: 'resume', actor } : { command: 'resume', actor, reason: raw.r };
  }
  throw new Error(`field "c" is ${JSON.stringify(raw.c)}, expected "panic" or "resume"`);
}

function bookHealthOf(raw: Record<string, unknown>): BookHealth {
  if (typeof raw.i !== 'string' || raw.i === '') throw new Error(`field "i" is ${JSON.stringify(raw.i)}, expected an instrument id such as "BTC/USD"`);
  if (raw.s !== 'resync' && raw.s !== 'synced') throw new Error(`field "s" is ${JSON.stringify(raw.s)}, expected "resync" or "synced"`);
  if (raw.why !== undefined && typeof raw.why !== 'string') throw new Error(`field "why" is ${JSON.stringify(raw.why)}, expected the reason as a string`);
  if (raw.b !== undefined && raw.b !== 'l2' && raw.b !== 'l3') throw new Error(`field "b" is ${JSON.stringify(raw.b)}, expected "l2" or "l3"`);
  return {
    instrumentId: raw.i as InstrumentId,
    time: finite(raw.t, 't'),
    status: raw.s,
    mismatches: finite(raw.m, 'm'),
    resyncs: finite(raw.r, 'r'),
    ageMs: finite(raw.age, 'age'),
    ...(raw.why === undefined ? {} : { reason: raw.why as string }),
    ...(raw.b === undefined ? {} : { book: raw.b as 'l2' | 'l3' }),
  };
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`field "${field}" is ${JSON.stringify(value)}, expected a finite number`);
  return value;
}
