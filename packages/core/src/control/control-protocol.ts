import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { TradingState } from '../model/events.js';
import type { ReportOrder } from '../report/report-json.js';

export interface StatusPosition {
  readonly instrumentId: string;
  /** The strategy whose order opened it (absent for a position no strategy of the bot opened, and from older bots). */
  readonly strategyId?: string;
  readonly quantity: string;
  readonly averageEntryPrice: string;
  readonly realizedPnl: string;
  readonly feesPaid: string;
}

/** What a running bot reports about itself (GET /status). */
export interface BotStatus {
  readonly bot: string;
  readonly mode: 'paper' | 'live';
  readonly pid: number;
  readonly startedAt: number;
  readonly time: number;
  readonly tradingState: TradingState;
  /**
   * What holds trading where it is: an operator's state when not `active`, and each breaker asking
   * for `reducing` or `halted`, with its reason (absent from older bots).
   */
  readonly tradingStateHeldBy?: readonly { readonly source: string; readonly state: TradingState; readonly reason: string }[];
  readonly quoteAsset: string;
  readonly equity: string;
  readonly startEquity: string;
  /** equity − startEquity. */
  readonly pnl: string;
  readonly realizedPnl: string;
  readonly feesPaid: string;
  /** The open orders, as report.json lists orders. */
  readonly openOrders: readonly ReportOrder[];
  readonly positions: readonly StatusPosition[];
  readonly balances: readonly { readonly asset: string; readonly total: string; readonly available: string }[];
  /** Denied orders by reason code since the start. */
  readonly denials: Readonly<Record<string, number>>;
  /**
   * What the venue still lets the bot send, by traded pair, in its units (Kraken: points left on
   * the pair's trading counter, after the client's headroom and queued work); empty where the
   * venue sets no limit (paper). See `ctx.orders.budget`.
   */
  readonly orderEntryBudget: Readonly<Record<string, number>>;
  /**
   * Open orders on the venue account that the bot does not track (placed by hand, by another bot
   * with the same key, or before its journal was reset); the bot leaves them alone. Absent from
   * older bots and from venues that cannot tell.
   */
  readonly untrackedVenueOrders?: readonly StatusUntrackedOrder[];
  /** What the session adds: bars seen, book health, connection state. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** An untracked venue order in a status (`UntrackedOrder`, with text amounts). */
export interface StatusUntrackedOrder {
  readonly venueOrderId: string;
  readonly venueClientOrderId?: string;
  readonly instrumentId?: string;
  readonly side?: string;
  readonly quantity?: string;
  readonly filledQuantity?: string;
  readonly limitPrice?: string;
}

export interface PanicRequest {
  /** Also sell every open position with market orders (after halting new entries and cancelling). */
  readonly flatten: boolean;
  /** Who asked, for the audit trail (`operator:<user>`). */
  readonly actor: string;
}

/** What a panic did, for the operator to read. */
export interface PanicReport {
  readonly tradingState: TradingState;
  readonly canceled: readonly string[];
  readonly flattenOrders: readonly { readonly clientOrderId: string; readonly instrumentId: string; readonly quantity: string }[];
  /** Positions that could not be sold, with why (below the venue's minimum, no price yet, ...). */
  readonly notFlattened: readonly { readonly instrumentId: string; readonly quantity: string; readonly reason: string }[];
}

export interface ResumeRequest {
  /** Who asked, for the audit trail (`operator:<user>`). */
  readonly actor: string;
  /** Why, journaled with the state change. */
  readonly reason?: string;
}

/** What a resume did: the state before and after (`active`, unless a breaker trips again at once). */
export interface ResumeReport {
  readonly from: TradingState;
  readonly tradingState: TradingState;
}

/** What the control server needs from the running bot. */
export interface BotControl {
  status(): BotStatus;
  panic(request: PanicRequest): Promise<PanicReport>;
  /**
   * The operator's way out of `halted` or `reducing` (after a panic or a breaker): sets the
   * trading state to `active`, journaled with who asked. Breakers start counting again from now.
   */
  resume(request: ResumeRequest): ResumeReport;
}

/** Unix sockets have a path limit of about 104 bytes (macOS) to 108 (Linux). */
const MAX_SOCKET_PATH = 100;

/**
 * The folder's one true spelling: symlinks and `..` resolved. A folder that does not exist yet is
 * spelled as it will be once created: its nearest existing parent's real path, then the rest.
 * Nothing is created (`kbot status` asks with this too).
 */
function realFolder(folder: string): string {
  const missing: string[] = [];
  let existing = resolve(folder);
  for (;;) {
    try {
      return join(realpathSync.native(existing), ...missing);
    } catch (error) {
      const parent = dirname(existing);
      // Not there yet (or unreadable): try its parent, down to the root, where resolve() stands.
      if (parent === existing || !['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return resolve(folder);
      missing.unshift(basename(existing));
      existing = parent;
    }
  }
}

/**
 * Where the bot whose journal lives in `folder` (its `sessionFolder`) listens: `<folder>/kbot.sock`,
 * or on Windows a named pipe derived from the folder. A long folder path falls back to a socket in
 * the system's temporary folder, named after a hash of the folder, so both sides still agree.
 * The folder's real path decides both (symlinks resolved): two spellings of one folder must give
 * one socket, since the socket is the lock that keeps a second bot off the journal.
 */
export function controlSocketPath(folder: string, platform: NodeJS.Platform = process.platform, tmpDir = '/tmp'): string {
  const absolute = realFolder(folder);
  const hash = createHash('sha256').update(absolute).digest('hex').slice(0, 16);
  if (platform === 'win32') return `\\\\.\\pipe\\kbot-${hash}`;
  const inside = join(absolute, 'kbot.sock');
  return Buffer.byteLength(inside) <= MAX_SOCKET_PATH ? inside : join(tmpDir, `kbot-${hash}.sock`);
}
