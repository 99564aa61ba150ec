// The level3 (order-by-order) book: a depth-1000 BTC/USD book of three orders a level, then
// update messages near the top (an order's quantity changes, an order joins the back of a queue,
// one leaves, a level comes or goes), each applied, truncated and checksum-verified (spec §9.3).
// The adapter's L3Book keeps its prices sorted as they change; the reference is the plain way
// (every level sorted on every message, the checksum text built with String), which also
// computes every message's checksum when the messages are made, so both must verify them all.
import { crc32 } from 'node:zlib';
import { L3Book, parseLevel3Entry, parseLosslessJson } from '@kbot/exchange-kraken';
import { seededRandom } from './book-fixture.mjs';
import { describe, log, measure, row } from './harness.mjs';

export const name = 'level3';
export const description = 'depth-1000 level3 book (3 orders a level), every update applied and checksum-verified, vs a book that sorts every level on every message';

const DEPTH = 1000;
const ORDERS_PER_LEVEL = 3;
const MESSAGES = 20_000;
/** The plain book is slow: it is timed over the first messages only. */
const NAIVE_MESSAGES = 2_000;

/** Levels per side as Map<price, orders[]>, sorted best first whenever asked: the plain way. */
class NaiveLevel3 {
  constructor() {
    this.sides = { bids: new Map(), asks: new Map() };
    this.where = new Map();
  }

  apply(message) {
    if (message.type === 'snapshot') {
      this.sides.bids.clear();
      this.sides.asks.clear();
      this.where.clear();
    }
    for (const side of ['bids', 'asks']) {
      const levels = this.sides[side];
      for (const order of message[side]) {
        const price = Math.round(Number(order.limit_price) * 10);
        const quantity = Math.round(Number(order.order_qty) * 1e8);
        const event = order.event ?? 'add';
        const current = this.where.get(order.order_id);
        if (event === 'delete' || (current !== undefined && (event === 'add' || current.price !== price))) {
          if (current !== undefined) {
            const queue = levels.get(current.price);
            queue.splice(queue.findIndex((entry) => entry.id === order.order_id), 1);
            if (queue.length === 0) levels.delete(current.price);
            this.where.delete(order.order_id);
          }
          if (event === 'delete') continue;
        }
        if (current !== undefined && event === 'modify' && current.price === price) {
          levels.get(price).find((entry) => entry.id === order.order_id).quantity = quantity;
          continue;
        }
        if (!levels.has(price)) levels.set(price, []);
        levels.get(price).push({ id: order.order_id, quantity });
        this.where.set(order.order_id, { price, side });
      }
      const sorted = [...levels.keys()].sort((a, b) => (side === 'bids' ? b - a : a - b));
      for (const price of sorted.slice(DEPTH)) {
        for (const entry of levels.get(price)) this.where.delete(entry.id);
        levels.delete(price);
      }
    }
    return this.checksum();
  }

  checksum() {
    let text = '';
    for (const side of ['asks', 'bids']) {
      const levels = this.sides[side];
      const sorted = [...levels.keys()].sort((a, b) => (side === 'bids' ? b - a : a - b)).slice(0, 10);
      for (const price of sorted) for (const entry of levels.get(price)) text += `${price}${entry.quantity === 0 ? '' : entry.quantity}`;
    }
    return crc32(text) >>> 0;
  }
}

const priceText = (price) => (price / 10).toFixed(1);
const quantityText = (quantity) => (quantity / 1e8).toFixed(8);

/** The snapshot and the updates, each with its true checksum from the plain book. */
function generateMessages() {
  const random = seededRandom(31);
  const reference = new NaiveLevel3();
  let serial = 0;
  const order = (price) => ({ order_id: `O${++serial}`, limit_price: priceText(price), order_qty: quantityText(1_000_000 + Math.floor(random() * 90_000_000)) });
  const bids = [];
  const asks = [];
  for (let level = 0; level < DEPTH; level++) {
    for (let index = 0; index < ORDERS_PER_LEVEL; index++) {
      bids.push(order(400_000 - level * 5));
      asks.push(order(400_005 + level * 5));
    }
  }
  const snapshot = { type: 'snapshot', symbol: 'BTC/USD', bids, asks, checksum: 0 };
  snapshot.checksum = reference.apply(snapshot);
  const messages = [];
  for (let count = 0; count < MESSAGES; count++) {
    const side = random() < 0.5 ? 'bids' : 'asks';
    const levels = reference.sides[side];
    const sorted = [...levels.keys()].sort((a, b) => (side === 'bids' ? b - a : a - b));
    const level = sorted[Math.floor(random() * Math.min(20, sorted.length))];
    const queue = levels.get(level);
    // Queues stay between one and six orders, as near the top of a real book: a full queue loses
    // its oldest order, a lone order gets company.
    const roll = queue.length >= 6 ? 0.8 : queue.length === 1 && random() < 0.5 ? 0.6 : random();
    let entry;
    if (roll < 0.45) {
      const target = queue[Math.floor(random() * queue.length)];
      entry = { event: 'modify', order_id: target.id, limit_price: priceText(level), order_qty: quantityText(1_000_000 + Math.floor(random() * 90_000_000)) };
    } else if (roll < 0.7 || queue.length === 1) {
      entry = { event: 'add', ...order(level) };
    } else if (roll < 0.9) {
      const target = queue[0];
      entry = { event: 'delete', order_id: target.id, limit_price: priceText(level), order_qty: quantityText(target.quantity) };
    } else {
      // A new level between the best and the next, or just inside the spread.
      const step = side === 'bids' ? 1 : -1;
      const price = sorted[0] + step * (1 + Math.floor(random() * 3));
      entry = { event: 'add', ...order(side === 'bids' ? Math.min(price, 400_004) : Math.max(price, 400_001)) };
    }
    const message = { type: 'update', symbol: 'BTC/USD', bids: side === 'bids' ? [entry] : [], asks: side === 'asks' ? [entry] : [], checksum: 0 };
    message.checksum = reference.apply(message);
    messages.push(message);
  }
  return { snapshot, messages };
}

/**
 * A message as Kraken writes it on the wire: prices and quantities as JSON numbers, a time on
 * every order and on the entry (the book reads the orders' times).
 */
function wireText(message, index) {
  const timestamp = new Date(Date.UTC(2026, 0, 5, 12, 0, 0) + index * 7).toISOString().replace('Z', '123Z');
  const order = (entry) => ({
    ...(entry.event === undefined ? {} : { event: entry.event }),
    order_id: entry.order_id,
    limit_price: Number(entry.limit_price),
    order_qty: Number(entry.order_qty),
    timestamp,
  });
  const data = { symbol: message.symbol, bids: message.bids.map(order), asks: message.asks.map(order), checksum: message.checksum, timestamp };
  return JSON.stringify({ channel: 'level3', type: message.type, data: [data] });
}

/** What the client does with a level3 message's text: the lossless parse, then each entry into the book. */
function applyText(book, text) {
  const message = parseLosslessJson(text);
  let outcome;
  for (const entry of message.data) outcome = book.apply(parseLevel3Entry(message.type, entry.symbol, entry));
  return outcome;
}

export async function run({ warmup = 1, runs = 5 } = {}) {
  log(`level3: generating a depth-${DEPTH} book of ${ORDERS_PER_LEVEL} orders a level and ${MESSAGES.toLocaleString('en-US')} updates (untimed)`);
  const { snapshot, messages } = generateMessages();

  const adapter = new L3Book({ instrumentId: 'BTC/USD', pricePrecision: 1, quantityPrecision: 8, depth: DEPTH });
  const adapterRun = () => {
    let verified = 0;
    for (const message of messages) if (adapter.apply(message) === 'verified') verified++;
    return verified;
  };
  const naive = new NaiveLevel3();
  const naiveMessages = messages.slice(0, NAIVE_MESSAGES);
  const naiveRun = () => {
    let verified = 0;
    for (const message of naiveMessages) if (naive.apply(message) === message.checksum) verified++;
    return verified;
  };

  log('level3: the adapter\'s L3Book (apply, truncate, verify)');
  const book = await measure(adapterRun, { warmup: Math.max(warmup, 2), runs: Math.max(runs, 5), setup: () => adapter.apply(snapshot) });
  log(describe('level3: L3Book', book));
  if (book.result !== MESSAGES) throw new Error(`level3 benchmark: the L3Book verified ${book.result} of ${MESSAGES} checksums, expected all`);

  const snapshotText = wireText(snapshot, 0);
  const texts = messages.map((message, index) => wireText(message, index + 1));
  const fromText = new L3Book({ instrumentId: 'BTC/USD', pricePrecision: 1, quantityPrecision: 8, depth: DEPTH });
  const fromTextRun = () => {
    let verified = 0;
    for (const text of texts) if (applyText(fromText, text) === 'verified') verified++;
    return verified;
  };
  log('level3: the same messages from their text (parseLosslessJson, parseLevel3Entry, L3Book), as the client reads them');
  const textBook = await measure(fromTextRun, { warmup: Math.max(warmup, 2), runs: Math.max(runs, 5), setup: () => applyText(fromText, snapshotText) });
  log(describe('level3: from text', textBook));
  if (textBook.result !== MESSAGES) throw new Error(`level3 benchmark: the L3Book verified ${textBook.result} of ${MESSAGES} messages read from text, expected all`);

  log('level3: the plain book (every level sorted on every message)');
  const plain = await measure(naiveRun, { warmup, runs, setup: () => naive.apply(snapshot) });
  log(describe('level3: plain book', plain));
  if (plain.result !== NAIVE_MESSAGES) throw new Error(`level3 benchmark: the plain book verified ${plain.result} of ${NAIVE_MESSAGES} checksums, expected all`);

  const bookRate = MESSAGES / book.median;
  const plainRate = NAIVE_MESSAGES / plain.median;
  return [
    row({ name: 'level3.plain', value: plainRate, unit: 'msg/s' }),
    row({ name: 'level3.verified', value: bookRate, unit: 'msg/s', baseline: 'level3.plain', baselineValue: plainRate }),
    row({ name: 'level3.from-text', value: MESSAGES / textBook.median, unit: 'msg/s', baseline: 'level3.verified', baselineValue: bookRate }),
  ];
}
