import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { V1BookReplay, parseV1BookMessage, type V1BookOutcome } from './v1-book.js';

const shared = process.env.KBOT_SHARED_DATA ?? '';

/** Received messages of a cryptofeed recording (`<ts>: <json>`; `wss://…` lines are the client's side). */
function receivedMessages(file: string): unknown[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('wss://'))
    .map((line) => JSON.parse(line.slice(line.indexOf(': ') + 2)) as unknown);
}

// The recording lives in ../shared/data, which is not part of the repository; without it there is nothing to replay.
describe.skipIf(!shared)('V1BookReplay on the cryptofeed v1 recording (10 pairs, book-1000)', () => {
  it('reproduces all 4,269 update checksums after the 10 snapshots', () => {
    const replay = new V1BookReplay();
    const counts: Partial<Record<V1BookOutcome, number>> = {};
    for (const message of receivedMessages(join(shared, 'ws/kraken/v1-cryptofeed-2021-04-17/KRAKEN.ws.50.0'))) {
      const book = parseV1BookMessage(message);
      if (book === undefined) continue;
      const outcome = replay.apply(book);
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
    expect(counts).toEqual({ snapshot: 10, verified: 4269 });
    const xmr = replay.book('XMR/USD')!;
    expect(xmr.instrumentId).toBe('XMR/USD');
    expect(xmr.pricePrecision).toBe(8);
    expect(xmr.depth).toBe(1000);
    expect(xmr.bestBidPrice()).toBeLessThan(xmr.bestAskPrice());
    expect(replay.book('XBT/CHF')!.instrumentId).toBe('BTC/CHF');
  });
});

describe('parseV1BookMessage and V1BookReplay', () => {
  it('reads split ask/bid update objects and the checksum string', () => {
    const parsed = parseV1BookMessage([1, { a: [['5541.30000', '2.50700000', '1534614248.456738']] }, { b: [['5541.20000', '1.52900000', '1534614248.765567']], c: '974942666' }, 'book-10', 'XBT/USD']);
    expect(parsed).toEqual({
      channelName: 'book-10',
      pair: 'XBT/USD',
      snapshot: false,
      asks: [['5541.30000', '2.50700000', '1534614248.456738']],
      bids: [['5541.20000', '1.52900000', '1534614248.765567']],
      checksum: 974942666,
    });
  });

  it('ignores events, heartbeats and other channels', () => {
    expect(parseV1BookMessage({ event: 'heartbeat' })).toBeUndefined();
    expect(parseV1BookMessage([1, [['1', '2', '3', 'b', 'm', '']], 'trade', 'XBT/USD'])).toBeUndefined();
  });

  it("matches the v1 guide's formatting example (0.05000 + 0.00000304 → 5000304) and catches a corrupted volume", () => {
    const replay = new V1BookReplay();
    expect(replay.apply(parseV1BookMessage([1, { as: [['0.05000', '0.00000304', '1']], bs: [] }, 'book-10', 'ETH/XBT'])!)).toBe('snapshot');
    // CRC-32("5000304" + "4900100") for an update adding one bid
    const update = (volume: string, checksum: number) => parseV1BookMessage([1, { b: [['0.04900', volume, '2']], c: String(checksum) }, 'book-10', 'ETH/XBT'])!;
    const good = 2_615_376_316;
    expect(replay.apply(update('0.00000100', good))).toBe('verified');
    expect(replay.apply(update('0.00000101', good))).toBe('mismatch');
  });
});
