import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordingEntries } from '@kbot/core';
import { KrakenRestClient } from '@kbot/exchange-kraken';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from './exit-codes.js';
import { kbot, simulatedAccount, type SimulatedAccount } from './operator-test-harness.js';

/*
 * A `kbot run` in progress, seen from the operator's other commands: `kbot status` reads it over
 * its control socket, a second `kbot run` of the same bot is refused, and `kbot panic` halts it
 * before clearing the account.
 */

let account: SimulatedAccount | undefined;
afterEach(async () => {
  await account?.stop();
  account = undefined;
});

async function waitForStatus(dir: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const result = await kbot(dir, 'status', '--json');
    if (result.code === EXIT.ok) return JSON.parse(result.stdout) as Record<string, unknown>;
    if (Date.now() > deadline) throw new Error(`kbot status never answered: ${result.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('a running bot and the operator', () => {
  it('says when no bot of the config is running, with exit code 5', async () => {
    account = await simulatedAccount({ USD: '10000' });
    const result = await kbot(account.dir, 'status');
    expect(result.code).toBe(EXIT.botState);
    expect(result.stderr).toMatch(/^kbot: this config's bot is not running, in paper or live mode: start it with "kbot run"/);
  });

  it('status reads the running bot, a second run is refused, and panic halts it', async () => {
    account = await simulatedAccount({ USD: '10000', BTC: '0.5' });
    const run = kbot(account.dir, 'run', '--mode', 'live', '--confirm-live', '--duration', '6s', '--json');

    const status = await waitForStatus(account.dir);
    expect(status).toMatchObject({ bot: 'operator-test', mode: 'live', tradingState: 'active', quoteAsset: 'USD' });
    expect(status.details).toMatchObject({ orderChannel: 'Kraken private WebSocket' });
    expect(status.balances).toEqual(expect.arrayContaining([expect.objectContaining({ asset: 'USD', total: '10000' })]));

    const second = await kbot(account.dir, 'run', '--mode', 'live', '--duration', '1s');
    expect(second.code).toBe(EXIT.botState);
    expect(second.stderr).toMatch(/this bot is already running \(its control socket .* answers\)/);

    const panic = await kbot(account.dir, 'panic', '--json');
    expect(panic.code).toBe(EXIT.ok);
    expect(JSON.parse(panic.stdout)).toMatchObject({ halt: 'halted', flatten: false });
    expect((await waitForStatus(account.dir)).tradingState).toBe('halted');

    // The way out: resume, journaled with who asked and why, and audited.
    const resumed = await kbot(account.dir, 'resume', '--reason', 'checked the account', '--json');
    expect(resumed.code).toBe(EXIT.ok);
    expect(JSON.parse(resumed.stdout)).toEqual({ bot: 'operator-test', mode: 'live', from: 'halted', tradingState: 'active' });
    expect((await waitForStatus(account.dir)).tradingState).toBe('active');
    const audit = readFileSync(join(account.dir, 'trading_data', 'audit.log'), 'utf8');
    expect(audit).toMatch(/"command":"resume","args":\{"bot":"operator-test","mode":"live","reason":"checked the account","from":"halted","tradingState":"active"\},"outcome":"ok"/);

    const finished = await run;
    expect(finished.code).toBe(EXIT.ok);
    expect(JSON.parse(finished.stdout)).toMatchObject({ kind: 'live' });
    // Stopped: the socket is gone with the bot.
    expect((await kbot(account.dir, 'status')).code).toBe(EXIT.botState);
  }, 60_000);

  it("shows a book resync as it happens and in kbot status (a scalper on the book, with the bookHealth policy)", async () => {
    account = await simulatedAccount({ USD: '10000' }, {
      strategies: "[{ use: 'scalper', params: { pair: 'BTC/USD', quantity: '0.01', maxPosition: '0.01', source: 'book', bookDepth: 10 } }]",
      risk: '{ bookHealth: { maxResyncs: 5 } }',
    });
    const run = kbot(account.dir, 'run', '--duration', '8s');
    const booksOf = async () => ((await waitForStatus(account!.dir)).details as Record<string, unknown>).books as Record<string, unknown>[];
    expect(await booksOf()).toEqual([expect.objectContaining({ instrumentId: 'BTC/USD', book: 'l2', status: 'synced', resyncs: 0 })]);
    account.sim.corruptNextBookChecksum();
    account.sim.step();
    const deadline = Date.now() + 15_000;
    let books = await booksOf();
    while (Date.now() < deadline && !(books[0]?.status === 'synced' && books[0]?.resyncs === 1)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      books = await booksOf();
    }
    expect(books).toEqual([expect.objectContaining({ instrumentId: 'BTC/USD', book: 'l2', status: 'synced', resyncs: 1, mismatches: 1 })]);
    const human = await kbot(account.dir, 'status');
    expect(human.stdout).toMatch(/order books\s+│ BTC\/USD verified \(1 resync, 1 checksum mismatch\)/);
    const finished = await run;
    expect(finished.code).toBe(EXIT.ok);
    expect(finished.stderr).toContain('book BTC/USD dropped (checksum): resync 1, waiting for a fresh snapshot');
    expect(finished.stderr).toContain('book BTC/USD verified again after 1 resync');
  }, 60_000);

  it('status lists an open order on the exchange that the bot does not track, and the bot leaves it alone', async () => {
    account = await simulatedAccount({ USD: '10000' });
    // Placed with the same key by someone else before the bot starts: not in the bot's journal.
    const other = new KrakenRestClient({ baseUrl: account.sim.restUrl, credentials: { apiKey: account.key, apiSecret: account.secret } });
    const txid = (await other.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'limit', price: '30000', volume: '0.01', cl_ord_id: 'by-hand-1' })).txid![0]!;
    const run = kbot(account.dir, 'run', '--mode', 'live', '--confirm-live', '--duration', '4s', '--json');

    const deadline = Date.now() + 20_000;
    let status = await waitForStatus(account.dir);
    while ((status.untrackedVenueOrders as unknown[] | undefined)?.length !== 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = await waitForStatus(account.dir);
    }
    expect(status.untrackedVenueOrders).toEqual([{ venueOrderId: txid, venueClientOrderId: 'by-hand-1', instrumentId: 'BTC/USD', side: 'buy', quantity: '0.01', filledQuantity: '0', limitPrice: '30000' }]);
    expect(status.openOrders).toEqual([]);
    const text = await kbot(account.dir, 'status');
    expect(text.stdout).toContain('1 open order on the exchange that this bot does not track');
    expect(text.stdout).toContain(txid);

    expect((await run).code).toBe(EXIT.ok);
    // The bot neither canceled nor touched it.
    expect(Object.keys((await other.openOrders()).open ?? {})).toEqual([txid]);
  }, 60_000);

  it('resume of a bot that is not running says how to resume it as it starts; run --resume does', async () => {
    account = await simulatedAccount({ USD: '10000' });
    const notRunning = await kbot(account.dir, 'resume');
    expect(notRunning.code).toBe(EXIT.botState);
    expect(notRunning.stderr).toMatch(/not running, in paper or live mode: start it with "kbot run --resume"/);

    // A paper bot halted by a panic stops halted, and starts halted again without --resume.
    const first = kbot(account.dir, 'run', '--duration', '3s', '--json');
    await waitForStatus(account.dir);
    expect((await kbot(account.dir, 'panic', '--json')).code).toBe(EXIT.ok);
    expect((await first).code).toBe(EXIT.ok);
    const halted = kbot(account.dir, 'run', '--duration', '2s', '--json');
    expect((await waitForStatus(account.dir)).tradingState).toBe('halted');
    expect((await halted).code).toBe(EXIT.ok);

    const again = kbot(account.dir, 'run', '--resume', '--duration', '2s', '--json');
    expect((await waitForStatus(account.dir)).tradingState).toBe('active');
    expect((await again).code).toBe(EXIT.ok);
    expect(readFileSync(join(account.dir, 'trading_data', 'audit.log'), 'utf8')).toMatch(/"command":"run --resume","args":\{"bot":"operator-test","mode":"paper","from":"halted","tradingState":"active"\}/);
    // Recorded where it came, for the parity replay: the newest session's recording has the resume.
    const recordings = join(account.dir, 'trading_data', 'paper', 'operator-test', 'recordings');
    const newest = readdirSync(recordings).sort().at(-1)!;
    const actions = [...recordingEntries(join(recordings, newest))].flatMap((entry) => (entry.kind === 'operator' ? [entry.action] : []));
    expect(actions).toEqual([{ command: 'resume', actor: expect.stringMatching(/^operator:/), reason: 'as the bot started (kbot run --resume)' }]);
  }, 60_000);
});
