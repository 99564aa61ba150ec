// The book benchmark's input: a depth-1000 BTC/USD book grown from Kraken's real recorded
// snapshot (same prices, same precisions), then a stream of update messages that land near the
// top, written as Kraken writes them. Each message carries the true checksum, computed here from
// the generator's own book with node's zlib.crc32, independently of the adapter's book and CRC
// code, so verification in the benchmark does the real work and must succeed on every message.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';

/** BTC/USD on Kraken: `price_precision` 1, `qty_precision` 8 (AssetPairs pair_decimals, lot_decimals). */
export const PRICE_PRECISION = 1;
export const QUANTITY_PRECISION = 8;
export const SYMBOL = 'BTC/USD';
export const DEPTH = 1000;
/** Levels per side that Kraken's checksum covers. */
export const CHECKSUM_LEVELS = 10;

const RECORDING = 'ws/kraken/v2/python-kraken-sdk-2023/orderbook-v2.json';

/** The shared data folder, as the tests find it (root vitest config): KBOT_SHARED_DATA or ../shared/data. */
export function sharedDataPath() {
  const fromEnv = process.env.KBOT_SHARED_DATA;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : resolve(import.meta.dirname, '../../shared/data');
}

/** The recorded depth-10 BTC/USD book (snapshot and 509 updates), parsed. */
export function loadRecording() {
  const path = join(sharedDataPath(), RECORDING);
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`book benchmark: cannot read the recorded Kraken book ${path} (${error.code ?? error.message}); set KBOT_SHARED_DATA to the shared data folder`);
  }
  return JSON.parse(text);
}

/** Seeded generator (mulberry32): the same messages in every run and on every machine. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRICE_SCALE = 10 ** PRICE_PRECISION;
const QUANTITY_SCALE = 10 ** QUANTITY_PRECISION;

/** A scaled integer as a JSON number the way Kraken's recording shows it: trailing zeros dropped, whole values as `4.0`. */
export function numberText(scaled, precision) {
  const digits = String(scaled).padStart(precision + 1, '0');
  const whole = digits.slice(0, digits.length - precision);
  const fraction = digits.slice(digits.length - precision).replace(/0+$/, '');
  return `${whole}.${fraction === '' ? '0' : fraction}`;
}

/** Reads a recorded JSON number (a float from JSON.parse) as a scaled integer; the recording's values have at most `precision` decimals. */
function scaledOf(value, precision) {
  const scaled = Math.round(value * 10 ** precision);
  if (Math.abs(scaled - value * 10 ** precision) > 1e-6) throw new Error(`recorded value ${value} has more than ${precision} decimals`);
  return scaled;
}

/** A quantity from 1e-8 to 10 BTC, log-uniform, so the digit counts vary as in a real book. */
function randomQuantity(random) {
  return Math.max(1, Math.floor(Math.exp(random() * Math.log(10 * QUANTITY_SCALE))));
}

/** An index near the top: mostly within the checksum's ten levels, sometimes a few dozen down. */
function nearTop(random, length) {
  return Math.min(length - 1, Math.floor(-Math.log(1 - random()) * 6));
}

/** Kraken's checksum text of the generator's book: top ten asks ascending, then top ten bids descending, digits without '.' or leading zeros. */
export function checksumText(asks, bids) {
  let text = '';
  for (let index = 0; index < Math.min(CHECKSUM_LEVELS, asks.length); index++) text += String(asks[index].price) + String(asks[index].quantity);
  for (let index = 0; index < Math.min(CHECKSUM_LEVELS, bids.length); index++) text += String(bids[index].price) + String(bids[index].quantity);
  return text;
}

function levelsJson(levels) {
  return `[${levels.map((level) => `{"price":${numberText(level.price, PRICE_PRECISION)},"qty":${numberText(level.quantity, QUANTITY_PRECISION)}}`).join(',')}]`;
}

function timestampText(ms, micros) {
  return `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

function messageText(type, bids, asks, checksum, timestamp) {
  return `{"channel":"book","type":"${type}","data":[{"symbol":"${SYMBOL}","bids":${levelsJson(bids)},"asks":${levelsJson(asks)},"checksum":${checksum},"timestamp":"${timestamp}"}]}`;
}

/**
 * The real snapshot extended to `DEPTH` levels per side (deeper levels 1–20 ticks apart, random
 * quantities), then `count` update messages of 1–3 changes each near the top: a new quantity, a
 * deleted level (with the level that scrolls into range at the bottom, as Kraken sends it) or a
 * new level between two others or inside the spread (the worst one then scrolls out, which
 * Kraken does not announce). Returns the message texts, Kraken's checksum of each, and the exact
 * checksum bytes of each message (`checksumBytes` from `checksumOffsets[i]` to `[i + 1]`).
 */
export function generateBookMessages({ count, seed = 1 } = {}) {
  const random = seededRandom(seed);
  const recording = loadRecording();
  const snapshot = recording.init.data[0];
  const bids = snapshot.bids.map((level) => ({ price: scaledOf(level.price, PRICE_PRECISION), quantity: scaledOf(level.qty, QUANTITY_PRECISION) }));
  const asks = snapshot.asks.map((level) => ({ price: scaledOf(level.price, PRICE_PRECISION), quantity: scaledOf(level.qty, QUANTITY_PRECISION) }));
  while (bids.length < DEPTH) bids.push({ price: bids.at(-1).price - 1 - Math.floor(random() * 20), quantity: randomQuantity(random) });
  while (asks.length < DEPTH) asks.push({ price: asks.at(-1).price + 1 + Math.floor(random() * 20), quantity: randomQuantity(random) });

  let time = Date.parse('2023-07-30T15:30:00Z');
  const encoder = new TextEncoder();
  const checksumParts = [];
  const snapshotChecksum = checksumText(asks, bids);
  const snapshotMessage = messageText('snapshot', bids, asks, crc32(snapshotChecksum), timestampText(time, 0));

  const messages = new Array(count);
  const checksums = new Uint32Array(count);
  for (let message = 0; message < count; message++) {
    time += 1 + Math.floor(random() * 12);
    const changed = { bids: [], asks: [] };
    const changes = random() < 0.6 ? 1 : random() < 0.75 ? 2 : 3;
    for (let change = 0; change < changes; change++) {
      const isBid = random() < 0.5;
      const side = isBid ? bids : asks;
      const out = isBid ? changed.bids : changed.asks;
      const direction = isBid ? -1 : 1; // bids fall away from the top, asks rise
      const index = nearTop(random, side.length);
      const action = random();
      if (action < 0.3) {
        // A new level just better than `index`: between it and the level above, or inside the spread.
        const above = index === 0 ? (isBid ? asks[0].price : bids[0].price) : side[index - 1].price;
        const gap = Math.abs(above - side[index].price);
        if (gap >= 2) {
          const price = side[index].price - direction * (1 + Math.floor(random() * (gap - 1)));
          const level = { price, quantity: randomQuantity(random) };
          side.splice(index, 0, level);
          out.push({ ...level });
          continue;
        }
      }
      if (action < 0.55 && side.length >= DEPTH) {
        // A deleted level; the next level beyond the old bottom scrolls into range and is sent too.
        const [gone] = side.splice(index, 1);
        out.push({ price: gone.price, quantity: 0 });
        const refill = { price: side.at(-1).price + direction * (1 + Math.floor(random() * 20)), quantity: randomQuantity(random) };
        side.push(refill);
        out.push({ ...refill });
        continue;
      }
      side[index].quantity = randomQuantity(random);
      out.push({ ...side[index] });
    }
    // Like Kraken and the book under test, levels beyond the depth are dropped once the whole message is applied.
    if (bids.length > DEPTH) bids.length = DEPTH;
    if (asks.length > DEPTH) asks.length = DEPTH;
    const text = checksumText(asks, bids);
    checksumParts.push(text);
    checksums[message] = crc32(text);
    messages[message] = messageText('update', changed.bids, changed.asks, checksums[message], timestampText(time, Math.floor(random() * 1000)));
  }
  const checksumOffsets = new Uint32Array(count + 1);
  let total = 0;
  for (let message = 0; message < count; message++) {
    checksumOffsets[message] = total;
    total += checksumParts[message].length;
  }
  checksumOffsets[count] = total;
  const checksumBytes = encoder.encode(checksumParts.join(''));
  if (checksumBytes.length !== total) throw new Error('checksum text is not ASCII');
  return { snapshotMessage, snapshotChecksum: crc32(snapshotChecksum), messages, checksums, checksumBytes, checksumOffsets };
}
