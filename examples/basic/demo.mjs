// `pnpm demo`: the example bot three ways, with no keys and no network.
// 1. a backtest on a GENERATED market (clearly labelled);
// 2. a paper session and 3. a live session, both against a Kraken simulator started here on
//    loopback, through the real Kraken adapter (REST + WebSocket v2): the simulator's account key
//    is made for this run only and never printed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '@kbot/cli';
import { startKrakenSimulator } from '@kbot/exchange-kraken';
import { randomBytes } from 'node:crypto';

const here = fileURLToPath(new URL('.', import.meta.url));
const io = { cwd: here, stdout: (text) => process.stdout.write(`${text}\n`), stderr: (text) => process.stderr.write(`${text}\n`) };

async function step(title, argv) {
  process.stdout.write(`\n=== ${title} ===\n`);
  const code = await runCli(argv, io);
  if (code !== 0) {
    process.stderr.write(`demo: "${title}" failed with exit code ${code}\n`);
    process.exit(code);
  }
}

await step('1/3 backtest on a GENERATED market', ['backtest', '--config', 'kbot.config.ts', '--out', 'reports/demo', '--no-progress']);

const key = `demo-${randomBytes(4).toString('hex')}`;
const secret = randomBytes(64).toString('base64');
const simulator = await startKrakenSimulator({
  market: { sources: [{ generate: { instrumentId: 'BTC/USD', interval: '1m', count: 100_000, seed: 7, startPrice: 42_000 } }], historyBars: 60, timeOrigin: 'now' },
  accounts: [{ key, secret, balances: { USD: '10000' }, tier: 'intermediate' }],
  speed: 600,
});
Object.assign(process.env, {
  KRAKEN_REST_URL: simulator.restUrl,
  KRAKEN_WS_URL: simulator.wsUrl,
  KRAKEN_WS_AUTH_URL: simulator.wsAuthUrl,
  KRAKEN_API_KEY: key,
  KRAKEN_API_SECRET: secret,
  KBOT_STORAGE_DIR: mkdtempSync(join(tmpdir(), 'kbot-demo-')),
});
process.stdout.write(`\nKraken simulator on ${simulator.restUrl} (GENERATED BTC/USD market, 600× real time: its clock runs ahead of yours, so bar times run ahead of the status line's wall-clock time)\n`);
try {
  await step('2/3 paper session against the simulator (Kraken market data, simulated fills)', ['run', '--config', 'kbot.sim.config.ts', '--mode', 'paper', '--bars', '30', '--out', 'reports/demo-paper']);
  await step('3/3 live session against the simulator (orders through the Kraken adapter)', ['run', '--config', 'kbot.sim.config.ts', '--mode', 'live', '--confirm-live', '--bars', '30', '--out', 'reports/demo-live']);
} finally {
  await simulator.stop();
}
