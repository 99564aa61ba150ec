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
  exchange: kraken({ tier: 'intermediate' }),
  strategies: [RestingLadder.with({ pair: 'BTC/USD', levels: 3, step: 0.0006, quantity: '0.02', cancelBeyond: 0.004 })],
  log: { level: 'warn' },
});
