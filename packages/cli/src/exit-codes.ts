import { isKbotError } from '@kbot/core';

/** Exit codes scripts can rely on (documented in docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** An unexpected failure: a bug in kbot or a strategy. */
  failure: 1,
  /** A flag, argument or config is invalid. */
  usage: 2,
  /** A data file is missing or malformed. */
  data: 3,
  /** The exchange refused or could not be reached. */
  exchange: 4,
  /** The bot is not running (`kbot status`), or already running (a second `kbot run` of it). */
  botState: 5,
  /** `kbot report --parity`: the replay's fills differ from the session's. */
  parityDiffers: 6,
  /** The bot's store cannot be opened or written: corrupt, foreign or newer file, a failed write (StoreError, codes `store-*`). */
  store: 7,
  /** Stopped by Ctrl-C where stopping early is reported (kbot data download: the pages read so far are kept). */
  interrupted: 130,
} as const;

/** A mistake by the user: printed as one line, without a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (isKbotError(error)) {
    if (error.code === 'config-invalid') return EXIT.usage;
    if (error.code === 'data-invalid') return EXIT.data;
    if (error.code.startsWith('exchange-')) return EXIT.exchange;
    if (error.code === 'bot-not-running' || error.code === 'bot-already-running') return EXIT.botState;
    if (error.code.startsWith('store-')) return EXIT.store;
    // A wrong passphrase or a missing, foreign or corrupt key file: the user's to fix.
    if (error.code.startsWith('key-file-')) return EXIT.usage;
  }
  return EXIT.failure;
}

/** What the user sees: one clear message for their mistakes; a stack only for kbot's own bugs. */
export function describeError(error: unknown, debug: boolean): string {
  const expected = error instanceof UsageError || (isKbotError(error) && error.code !== 'invariant-violated');
  if (expected && !debug) return `kbot: ${(error as Error).message}`;
  if (error instanceof Error) return debug || !expected ? `kbot: ${error.stack ?? error.message}` : `kbot: ${error.message}`;
  return `kbot: ${String(error)}`;
}
