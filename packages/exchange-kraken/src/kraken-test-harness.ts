import type { Exchange } from '@kbot/core';
import { createKrakenExchange, type CreateKrakenExchangeOptions, type KrakenExchange } from './plugin.js';
import type { KrakenSettingsInput } from './settings.js';
import { startKrakenSimulator, type KrakenSimulator } from './simulator/kraken-simulator.js';
import { KEY, SPEC_SECRET, flat, scriptedBars } from './simulator/simulator-test-fixtures.js';
import type { KrakenSimulatorOptions } from './simulator/simulator-options.js';

/*
 * Shared by this package's tests of the real clients against the simulator (not part of the
 * package's API): a simulator with one BTC/USD market and one account, and the environment a
 * Kraken exchange reads its URLs and keys from.
 */

export { KEY, SPEC_SECRET };

/**
 * BTC/USD, one-minute bars: flat at 40,000 for 12 bars (10 are history), a bar down to 39,400,
 * flat at 39,500, a bar up to 40,600, then flat at 40,500.
 */
export const SCRIPT: readonly (readonly [number, number, number, number])[] = [
  ...flat(40_000, 12),
  [40_000, 40_010, 39_400, 39_500],
  ...flat(39_500, 3),
  [39_500, 40_600, 39_490, 40_500],
  ...flat(40_500, 40),
];

export function startScriptedSimulator(overrides: Partial<KrakenSimulatorOptions> = {}): Promise<KrakenSimulator> {
  return startKrakenSimulator({
    market: { sources: [scriptedBars('BTC/USD', SCRIPT, undefined, 50)], historyBars: 10 },
    accounts: [{ key: KEY, secret: SPEC_SECRET, balances: { USD: '100000' } }],
    speed: 0,
    ...overrides,
  });
}

/** What createKrakenExchange reads: the simulator's URLs and the account's key. */
export function simulatorEnv(sim: KrakenSimulator, credentials: { key?: string; secret?: string } | false = {}): Record<string, string> {
  return {
    KRAKEN_REST_URL: sim.restUrl,
    KRAKEN_WS_URL: sim.wsUrl,
    KRAKEN_WS_AUTH_URL: sim.wsAuthUrl,
    ...(credentials === false ? {} : { KRAKEN_API_KEY: credentials.key ?? KEY, KRAKEN_API_SECRET: credentials.secret ?? SPEC_SECRET }),
  };
}

/** Fast reconnects and short timers, for tests on loopback. */
export const FAST_TUNING: NonNullable<CreateKrakenExchangeOptions['tuning']> = {
  marketData: { barCheckIntervalMs: 50, webSocket: { reconnectBaseDelayMs: 20, reconnectMaxDelayMs: 100, random: () => 0.5 } },
  execution: { connectTimeoutMs: 5_000, retryDelayMs: 100, pollIntervalMs: 200, webSocket: { reconnectBaseDelayMs: 20, reconnectMaxDelayMs: 100, random: () => 0.5 } },
};

export function simulatorExchange(sim: KrakenSimulator, settings: KrakenSettingsInput = {}, options: CreateKrakenExchangeOptions = {}): KrakenExchange {
  return createKrakenExchange(settings, { env: simulatorEnv(sim), tuning: FAST_TUNING, ...options });
}

/** An Exchange whose data.close() also stops the simulator (the exchange contract closes both). */
export function closingWithSimulator(exchange: KrakenExchange, sim: KrakenSimulator): Exchange {
  return {
    id: exchange.id,
    instruments: exchange.instruments,
    execution: exchange.execution,
    data: {
      subscribe: (subscriptions, sink) => exchange.data.subscribe(subscriptions, sink),
      unsubscribe: (subscriptions) => exchange.data.unsubscribe(subscriptions),
      close: async () => {
        await exchange.data.close();
        await sim.stop();
      },
    },
  };
}

/** Polls until `condition` holds; fails naming `what` after `timeoutMs`. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
