import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseTime } from '@kbot/core';
import { startKrakenSimulator, type KrakenSimulator, type MarketSourceOption } from '@kbot/exchange-kraken';
import { UsageError } from '../exit-codes.js';

export interface SimFlags {
  readonly port?: string;
  readonly speed?: string;
  readonly data?: readonly string[];
  readonly pair?: string;
  readonly interval?: string;
  readonly balance?: readonly string[];
  readonly credentials?: string;
  readonly seed?: string;
  readonly start?: string;
}

export interface StartedSim {
  readonly simulator: KrakenSimulator;
  readonly credentialsFile: string;
  readonly lines: readonly string[];
}

function number(flag: string, value: string | undefined, fallback: number, check: (value: number) => boolean, expected: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || !check(parsed)) throw new UsageError(`${flag}: received ${JSON.stringify(value)}, expected ${expected}`);
  return parsed;
}

/** `ASSET=AMOUNT` pairs, e.g. `USD=10000`. */
export function parseBalances(values: readonly string[] | undefined): Record<string, string> {
  const balances: Record<string, string> = {};
  for (const value of values ?? ['USD=10000']) {
    const match = /^([A-Za-z0-9.]{1,16})=(\d+(\.\d+)?)$/.exec(value.trim());
    if (!match) throw new UsageError(`--balance: received ${JSON.stringify(value)}, expected ASSET=AMOUNT such as USD=10000`);
    balances[match[1]!.toUpperCase()] = match[2]!;
  }
  return balances;
}

/**
 * `kbot sim`: a local Kraken (REST + WebSocket v2) on loopback, trading against a data file or a
 * generated market, with one account whose freshly made key is written to a credentials file
 * (never printed): `source` it, then `kbot run` talks to the simulator as it would to Kraken.
 */
export async function startSim(flags: SimFlags, context: { cwd: string }): Promise<StartedSim> {
  const port = number('--port', flags.port, 0, (value) => Number.isInteger(value) && value >= 0 && value < 65536, 'a port number from 0 to 65535');
  const speed = number('--speed', flags.speed, 60, (value) => value >= 0, 'a number ≥ 0 (market time per wall time; 60 = one 1-minute bar per second)');
  const seed = number('--seed', flags.seed, 1, (value) => Number.isInteger(value), 'a whole number');
  const pair = flags.pair ?? 'BTC/USD';
  const sources: MarketSourceOption[] = flags.data && flags.data.length > 0
    ? flags.data.map((file) => ({
      file: resolve(context.cwd, file),
      ...(flags.pair ? { instrumentId: flags.pair } : {}),
      ...(flags.interval ? { interval: flags.interval } : {}),
      // Errors (a flag that contradicts the file name, say) name the flags the user typed.
      optionNames: { instrumentId: '--pair', interval: '--interval' },
    }))
    : [{ generate: { instrumentId: pair, interval: flags.interval ?? '1m', count: 1_000_000, seed, startPrice: 40_000, start: flags.start ? parseTime(flags.start, '--start') : Date.UTC(2024, 0, 1) } }];
  const key = `kbot-sim-${randomBytes(6).toString('hex')}`;
  const secret = randomBytes(64).toString('base64');
  const simulator = await startKrakenSimulator({
    market: { sources, historyBars: 120, timeOrigin: 'now' },
    accounts: [{ key, secret, balances: parseBalances(flags.balance), tier: 'intermediate' }],
    speed,
    port,
  });
  const credentialsFile = resolve(context.cwd, flags.credentials ?? 'trading_data/sim-credentials.env');
  mkdirSync(dirname(credentialsFile), { recursive: true });
  writeFileSync(
    credentialsFile,
    [
      '# kbot simulator account: valid only for this simulator run, never for Kraken',
      `export KRAKEN_API_KEY=${key}`,
      `export KRAKEN_API_SECRET=${secret}`,
      `export KRAKEN_REST_URL=${simulator.restUrl}`,
      `export KRAKEN_WS_URL=${simulator.wsUrl}`,
      `export KRAKEN_WS_AUTH_URL=${simulator.wsAuthUrl}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return {
    simulator,
    credentialsFile,
    lines: [
      `Kraken simulator on ${simulator.restUrl} (WebSocket ${simulator.wsUrl}, authenticated ${simulator.wsAuthUrl})`,
      `market: ${flags.data?.length ? flags.data.join(', ') : `GENERATED ${pair} ${flags.interval ?? '1m'} bars (seed ${seed})`}, speed ${speed}×`,
      `account credentials and URLs: ${credentialsFile} (run: source ${credentialsFile})`,
      'stop with Ctrl-C',
    ],
  };
}
