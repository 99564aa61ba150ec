import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from './exit-codes.js';
import { KEY_VARIABLE, SECRET_VARIABLE, jsonLines, kbot, simulatedAccount, type SimulatedAccount } from './operator-test-harness.js';
import { scaledText } from './output/market-lines.js';
import { runCli } from './program.js';

let account: SimulatedAccount | undefined;
afterEach(async () => {
  await account?.stop();
  account = undefined;
});

async function open(): Promise<SimulatedAccount> {
  account = await simulatedAccount({ USD: '1000' }, { withKey: false });
  return account;
}

/**
 * Runs `kbot market ...` while the frozen simulator is moved one bar every 20 ms, until the command
 * ends (by --count). `afterFirstLine` runs once the first line is out (to corrupt a checksum, say).
 */
async function stream(sim: SimulatedAccount, argv: string[], afterFirstLine?: () => void) {
  let stdout = '';
  let stderr = '';
  let ended = false;
  const run = runCli(['market', ...argv], { cwd: sim.dir, stdout: (text) => (stdout += `${text}\n`), stderr: (text) => (stderr += `${text}\n`) }).finally(() => (ended = true));
  let pending = afterFirstLine;
  for (let tick = 0; !ended && tick < 500; tick++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (pending !== undefined) {
      if (stdout === '') continue;
      pending();
      pending = undefined;
    }
    sim.sim.step();
  }
  const code = await run;
  return { code, stdout, stderr };
}

const PRICE = /^\d+\.\d$/; // BTC/USD prices have 1 decimal
const QUANTITY = /^\d+\.\d{8}$/; // and quantities 8

describe('kbot market --json', () => {
  it('prints one line per book update: the top levels as decimal strings and the checksum status', async () => {
    const sim = await open();
    const result = await stream(sim, ['BTC/USD', '--json', '--count', '4']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT.ok);
    const lines = jsonLines(result.stdout);
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line).toMatchObject({ type: 'book', pair: 'BTC/USD', checksumOk: true });
      expect(Date.parse(line.time as string)).toBeGreaterThan(Date.UTC(2024, 0, 1));
      const bids = line.bids as [string, string][];
      const asks = line.asks as [string, string][];
      expect(bids).toHaveLength(10);
      expect(asks).toHaveLength(10);
      for (const [price, quantity] of [...bids, ...asks]) {
        expect(price).toMatch(PRICE);
        expect(quantity).toMatch(QUANTITY);
      }
      const bidPrices = bids.map(([price]) => Number(price));
      const askPrices = asks.map(([price]) => Number(price));
      expect(bidPrices).toEqual([...bidPrices].sort((a, b) => b - a));
      expect(askPrices).toEqual([...askPrices].sort((a, b) => a - b));
      expect(bidPrices[0]!).toBeLessThan(askPrices[0]!);
    }
  });

  it('--book 25 streams 25 levels a side', async () => {
    const sim = await open();
    const lines = jsonLines((await stream(sim, ['BTC/USD', '--json', '--book', '25', '--count', '1'])).stdout);
    expect((lines[0]!.bids as unknown[]).length).toBe(25);
    expect((lines[0]!.asks as unknown[]).length).toBe(25);
  });

  it('a checksum mismatch prints a resync line, and verified books follow', async () => {
    const sim = await open();
    const result = await stream(sim, ['BTC/USD', '--json', '--count', '6'], () => sim.sim.corruptNextBookChecksum());
    expect(result.code).toBe(EXIT.ok);
    const lines = jsonLines(result.stdout);
    const resync = lines.findIndex((line) => line.type === 'resync');
    expect(resync).toBeGreaterThan(0);
    expect(lines[resync]).toMatchObject({ pair: 'BTC/USD', reason: 'checksum', checksumOk: false, resyncs: 1, mismatches: 1 });
    expect(lines[resync]!.expectedChecksum).not.toBe(lines[resync]!.computedChecksum);
    expect(lines.slice(resync + 1).some((line) => line.type === 'book' && line.checksumOk === true)).toBe(true);
    // Resync lines are not updates: --count 6 still means six books.
    expect(lines.filter((line) => line.type === 'book')).toHaveLength(6);
  });

  it('--trades streams trades as decimal strings', async () => {
    const sim = await open();
    const lines = jsonLines((await stream(sim, ['BTC/USD', '--json', '--trades', '--count', '5'])).stdout);
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      expect(line).toMatchObject({ type: 'trade', pair: 'BTC/USD' });
      expect(line.price).toMatch(PRICE);
      expect(line.quantity).toMatch(QUANTITY);
      expect(['buy', 'sell']).toContain(line.side);
    }
  });

  it('--ohlc streams closed candles', async () => {
    const sim = await open();
    const lines = jsonLines((await stream(sim, ['BTC/USD', '--json', '--ohlc', '1m', '--count', '2'])).stdout);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatchObject({ type: 'ohlc', pair: 'BTC/USD', interval: '1m' });
      expect(Number(line.low)).toBeLessThanOrEqual(Number(line.open));
      expect(Number(line.high)).toBeGreaterThanOrEqual(Number(line.close));
    }
    expect(Date.parse(lines[1]!.openTime as string) - Date.parse(lines[0]!.openTime as string)).toBe(60_000);
  });
});

describe('kbot market --orders (level3)', () => {
  it('streams every resting order of the top levels, in queue order, adding up to each level', async () => {
    account = await simulatedAccount({ USD: '1000' });
    const result = await stream(account, ['BTC/USD', '--orders', '--json', '--count', '3']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT.ok);
    const lines = jsonLines(result.stdout);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toMatchObject({ type: 'book', pair: 'BTC/USD', checksumOk: true });
      const orders = line.orders as { bids: { orderId: string; price: string; quantity: string }[]; asks: { orderId: string; price: string; quantity: string }[] };
      for (const [levels, queue] of [
        [line.bids as [string, string][], orders.bids],
        [line.asks as [string, string][], orders.asks],
      ] as const) {
        expect(levels).toHaveLength(10);
        for (const order of queue) {
          expect(order.orderId).not.toBe('');
          expect(order.price).toMatch(PRICE);
          expect(order.quantity).toMatch(QUANTITY);
        }
        // The orders, grouped by price in the order they come, are exactly the levels.
        const sums = new Map<string, number>();
        for (const order of queue) sums.set(order.price, (sums.get(order.price) ?? 0) + Math.round(Number(order.quantity) * 1e8));
        expect([...sums.keys()]).toEqual(levels.map(([price]) => price));
        expect([...sums.values()]).toEqual(levels.map(([, quantity]) => Math.round(Number(quantity) * 1e8)));
      }
      expect(orders.bids.length).toBeGreaterThan(10);
    }
  });

  it('shows each best level\'s queue length on the lines for people', async () => {
    account = await simulatedAccount({ USD: '1000' });
    const result = await stream(account, ['BTC/USD', '--orders', '--count', '1']);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/bid \d+\.\d{8} @ \d+\.\d \(\d+ orders?\) \| ask \d+\.\d x \d+\.\d{8} \(\d+ orders?\)/);
  });

  it('needs API keys, and a level3 depth', async () => {
    const sim = await open();
    const withoutKeys = await stream(sim, ['BTC/USD', '--orders', '--json', '--count', '1']);
    expect(withoutKeys.code).toBe(EXIT.usage);
    expect(withoutKeys.stderr).toContain(`--orders: Kraken serves the order-by-order book (level3) only on its authenticated WebSocket; set ${KEY_VARIABLE} and ${SECRET_VARIABLE}`);
    const depth = await stream(sim, ['BTC/USD', '--orders', '--book', '25', '--count', '1']);
    expect(depth.code).toBe(EXIT.usage);
    expect(depth.stderr).toContain('--book: received "25", expected one of Kraken\'s level3 (--orders) book depths: 10, 100, 1000');
  });
});

describe('kbot market for people', () => {
  it('prints one line per update when stdout is not a terminal, and a closing note on stderr', async () => {
    const sim = await open();
    const result = await stream(sim, ['btc/usd', '--count', '2']);
    expect(result.code).toBe(EXIT.ok);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z BTC\/USD {2}bid \d+\.\d{8} @ \d+\.\d \| ask \d+\.\d x \d+\.\d{8} {2}spread \d+\.\d$/);
    expect(result.stderr).toBe('stopped after 2 updates (0 book resyncs)\n');
  });
});

describe('kbot market connection', () => {
  it('says on stderr when the connection drops, and the stream goes on after the reconnection', async () => {
    const sim = await open();
    const result = await stream(sim, ['BTC/USD', '--count', '5'], () => sim.sim.dropConnections());
    expect(result.code).toBe(EXIT.ok);
    // Five updates, and the book dropped with the connection: no verified book until the reconnection's snapshot.
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines.filter((line) => / BTC\/USD {2}RESYNC: connection lost; book dropped, waiting for a fresh snapshot \(resync 1\)$/.test(line))).toHaveLength(1);
    expect(result.stderr).toMatch(/connection to ws:\/\/127\.0\.0\.1:\d+\S* lost .*; reconnecting in \d+\.\d s \(attempt 1\)/);
    expect(result.stderr).toMatch(/stopped after 5 updates/);
  });
});

describe('kbot market flags', () => {
  it('are checked with a message naming the flag, the value and what is allowed', async () => {
    const sim = await open();
    const cases: [string[], RegExp][] = [
      [['BTC/USD', '--book', '7'], /--book: received "7", expected one of Kraken's book depths: 10, 25, 100, 500, 1000/],
      [['BTC/USD', '--ohlc', '2m'], /--ohlc: received "2m", expected one of Kraken's candle intervals: 1m, 5m, 15m, 30m, 1h, 4h, 1d, 1w, 15d/],
      [['BTC/USD', '--count', '0'], /--count: received "0", expected a whole number ≥ 1/],
      [['BTCUSD'], /pair: received "BTCUSD", expected a pair written BASE\/QUOTE/],
      [['SOL/USD', '--count', '1'], /pair: received "SOL\/USD", expected a pair Kraken lists, such as BTC\/USD/],
    ];
    for (const [argv, message] of cases) {
      const result = await kbot(sim.dir, 'market', ...argv);
      expect(result.code, argv.join(' ')).toBe(EXIT.usage);
      expect(result.stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  });

  it('accepts a candle interval in minutes', async () => {
    const sim = await open();
    const lines = jsonLines((await stream(sim, ['BTC/USD', '--json', '--ohlc', '60', '--count', '1'])).stdout);
    expect(lines[0]).toMatchObject({ type: 'ohlc', interval: '1h' });
  });
});

describe('scaledText', () => {
  it('writes scaled integers as exact decimals', () => {
    expect(scaledText(400001, 1)).toBe('40000.1');
    expect(scaledText(5, 8)).toBe('0.00000005');
    expect(scaledText(123, 0)).toBe('123');
    expect(scaledText(-15, 1)).toBe('-1.5');
  });
});
