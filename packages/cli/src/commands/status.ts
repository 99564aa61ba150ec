import { dirname, resolve } from 'node:path';
import Table from 'cli-table3';
import { Decimal, KbotError, controlSocketPath, fetchBotStatus, isKbotError, sessionFolder, type BotStatus } from '@kbot/core';
import type { Command } from 'commander';
import { loadKbotConfig } from '../load-config.js';
import { UsageError } from '../exit-codes.js';
import type { CliIo } from '../program.js';
import { bookStatusText } from '../output/book-health.js';

export interface StatusFlags {
  readonly config?: string;
  readonly mode?: string;
  readonly json?: boolean;
}

export interface RunningBot {
  readonly mode: 'paper' | 'live';
  readonly socket: string;
  readonly status: BotStatus;
}

/**
 * The running bots of the config found from `cwd` (or `--config`): its bot name in paper and in
 * live mode (or only `mode`), each asked for its status over its control socket. A bot that is not
 * running is left out; any other failure is thrown.
 */
export async function findRunningBots(cwd: string, configFile: string | undefined, mode?: 'paper' | 'live'): Promise<RunningBot[]> {
  const { config, file } = await loadKbotConfig({ cwd, ...(configFile ? { file: configFile } : {}) });
  const storageDir = resolve(dirname(file), config.storage.dir);
  const found: RunningBot[] = [];
  for (const candidate of mode === undefined ? (['live', 'paper'] as const) : [mode]) {
    const socket = controlSocketPath(sessionFolder(storageDir, { mode: candidate, botName: config.name }));
    try {
      found.push({ mode: candidate, socket, status: await fetchBotStatus(socket) });
    } catch (error) {
      if (!(isKbotError(error) && error.code === 'bot-not-running')) throw error;
    }
  }
  return found;
}

export function parseModeFlag(value: string | undefined): 'paper' | 'live' | undefined {
  if (value === undefined || value === 'paper' || value === 'live') return value;
  throw new UsageError(`--mode: received ${JSON.stringify(value)}, expected "paper" or "live"`);
}

function money(text: string, digits = 2): string {
  const value = Number(text);
  return Number.isFinite(value) ? value.toFixed(digits) : text;
}

/** The status carries no instrument rules, so prices are shown to 8 decimals (no Kraken pair quotes finer). */
const PRICE_DECIMALS = 8;

/** Up to 8 decimals, trailing zeros dropped: an average entry worked out by division has ~40. */
function price(text: string): string {
  try {
    return new Decimal(text).toDecimalPlaces(PRICE_DECIMALS).toFixed();
  } catch {
    return text;
  }
}

/** Labels for the session's `details` keys; a key not listed here is spelled out from camelCase. */
const DETAIL_LABELS: Readonly<Record<string, string>> = {
  bars: 'bars this session',
  fills: 'fills this session',
  lastBarClosedAt: 'last bar closed at',
  books: 'order books',
  orderChannel: 'orders go over',
  journal: 'journal',
};

/** A detail's value for people: the books in words, text as it is, anything else as JSON. */
function detailText(key: string, value: unknown): string {
  if (key === 'books') {
    const books = bookStatusText(value);
    if (books !== undefined) return books;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function detailLabel(key: string): string {
  return DETAIL_LABELS[key] ?? key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/** What a person reads: the bot line, money, then positions and open orders. */
export function statusText(status: BotStatus): string {
  const lines = [
    `${status.bot}: ${status.mode} since ${new Date(status.startedAt).toISOString()} (pid ${status.pid}), trading state ${status.tradingState.toUpperCase()}`,
  ];
  // Why it is not active: who holds it there (older bots do not say).
  for (const holder of status.tradingStateHeldBy ?? []) {
    lines.push(`  ${holder.state} by ${holder.source}${holder.reason === '' ? '' : `: ${holder.reason}`}`);
  }
  const summary = new Table({ style: { head: [], border: [] } });
  summary.push(
    { equity: `${money(status.equity)} ${status.quoteAsset}` },
    { 'P&L since start': `${money(status.pnl)} ${status.quoteAsset}` },
    { 'realized P&L': `${money(status.realizedPnl)} ${status.quoteAsset}` },
    { 'fees paid': `${money(status.feesPaid)} ${status.quoteAsset}` },
  );
  for (const [key, value] of Object.entries(status.details)) summary.push({ [detailLabel(key)]: detailText(key, value) });
  const denials = Object.entries(status.denials);
  if (denials.length > 0) summary.push({ 'orders denied': denials.map(([code, count]) => `${code} ${count}`).join(', ') });
  // Older bots' status has no budget field.
  const budgets = Object.entries(status.orderEntryBudget ?? {});
  if (budgets.length > 0) summary.push({ 'trading counter left': budgets.map(([pair, points]) => `${pair} ${points}`).join(', ') });
  lines.push(summary.toString());
  if (status.positions.length > 0) {
    const positions = new Table({ head: ['position', 'strategy', 'quantity', 'average entry', 'realized', 'fees'], style: { head: [], border: [] } });
    for (const position of status.positions) {
      positions.push([position.instrumentId, position.strategyId ?? '-', position.quantity, price(position.averageEntryPrice), money(position.realizedPnl), money(position.feesPaid)]);
    }
    lines.push(positions.toString());
  } else {
    lines.push('no open positions');
  }
  if (status.openOrders.length > 0) {
    const orders = new Table({ head: ['order', 'strategy', 'pair', 'side', 'type', 'quantity', 'filled', 'price', 'status'], style: { head: [], border: [] } });
    for (const order of status.openOrders) {
      orders.push([order.clientOrderId, order.strategyId, order.instrumentId, order.side, order.type, order.quantity, order.filledQuantity, order.price ?? order.triggerPrice ?? 'market', order.status]);
    }
    lines.push(orders.toString());
  } else {
    lines.push('no open orders');
  }
  // Older bots and venues that cannot tell send none.
  const untracked = status.untrackedVenueOrders ?? [];
  if (untracked.length > 0) {
    lines.push(`${untracked.length} open order${untracked.length === 1 ? '' : 's'} on the exchange that this bot does not track (placed by hand, by another bot with the same key, or before its journal was reset); the bot leaves them alone:`);
    const orders = new Table({ head: ['venue order', 'client id', 'pair', 'side', 'quantity', 'price'], style: { head: [], border: [] } });
    for (const order of untracked) {
      orders.push([order.venueOrderId, order.venueClientOrderId ?? '-', order.instrumentId ?? '?', order.side ?? '?', order.quantity ?? '?', order.limitPrice ?? '-']);
    }
    lines.push(orders.toString());
  }
  return lines.join('\n');
}

/** `kbot status`: asks this config's running bot (paper, live, or both) how it is doing. */
export function registerStatusCommand(program: Command, io: CliIo): void {
  program
    .command('status')
    .description('show the running bot of this config: mode, trading state, P&L, positions, open orders')
    .option('-c, --config <file>', 'config file (default: kbot.config.ts found from the current folder)')
    .option('--mode <mode>', 'paper or live (default: whichever is running)')
    .option('--json', 'print the status as JSON (money as decimal strings); an array when both modes run')
    .action(async (flags: StatusFlags) => {
      const bots = await findRunningBots(io.cwd, flags.config, parseModeFlag(flags.mode));
      if (bots.length === 0) {
        const which = flags.mode === undefined ? 'this config\'s bot is not running, in paper or live mode' : `this config's bot is not running in ${flags.mode} mode`;
        throw new KbotError('bot-not-running', `${which}: start it with "kbot run"`);
      }
      if (flags.json) io.stdout(JSON.stringify(bots.length === 1 ? bots[0]!.status : bots.map((bot) => bot.status)));
      else io.stdout(bots.map((bot) => statusText(bot.status)).join('\n\n'));
    });
}
