import { join } from 'node:path';
import { defineConfig } from '@kbot/core';
import { kraken } from '@kbot/exchange-kraken';
import { RestingLadder } from './resting-ladder.js';

/**
 * The bot of the kill -9 recovery proof (src/recovery.e2e.test.ts): live against the Kraken
 * simulator, whose URLs and keys come from KRAKEN_* variables, and whose storage folder comes
 * from KBOT_STORAGE_DIR.
 */
export default defineConfig({
  name: 'recovery-proof',
  mode: 'live',
  // Each bot process keeps the key's nonce and REST counter files in a folder of its own. The
  // proof restarts the bot two dozen times a minute and lifts the simulator's REST counter for it
  // (simulator-host.ts); a counter shared across the restarts, as a bot normally keeps it, would
  // make each start-up wait for the last one's reconciliation calls to decay. Nonces still rise
  // from process to process: they are the clock in microseconds.
  exchange: kraken({ tier: 'intermediate', nonceDirectory: join(process.env.KBOT_STORAGE_DIR ?? 'trading_data', 'kraken-key-files', String(process.pid)) }),
  strategies: [RestingLadder.with({ pair: 'BTC/USD', levels: 3, step: 0.0006, quantity: '0.02', cancelBeyond: 0.004 })],
  log: { level: 'warn' },
});
