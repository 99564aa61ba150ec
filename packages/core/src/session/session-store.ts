import type { Logger } from '../log/logger.js';
import { join } from 'node:path';
import { SqliteStore, storeFilePath } from '../persistence/sqlite-store.js';

export interface SessionStoreKey {
  readonly mode: 'paper' | 'live';
  /** The bot's `name` from its config. */
  readonly botName: string;
}

/** A bot name as a folder name: letters, digits, `.`, `_` and `-` stay, anything else becomes `-`. */
function folderName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^\.+/, '-');
  return cleaned === '' ? 'kbot' : cleaned;
}

/**
 * Where a paper or live bot keeps its journal: `<storage>/<mode>/<bot name>/kbot.sqlite`. One
 * journal per bot and mode, so a restart of the same bot resumes where it stopped, and paper and
 * live (or two bots sharing a storage folder) never mix their orders and balances.
 */
/** `<storage>/<mode>/<bot name>`: the folder of one bot's journal and its control socket. */
export function sessionFolder(storageDir: string, key: SessionStoreKey): string {
  return join(storageDir, key.mode, folderName(key.botName));
}

export function sessionStoreFile(storageDir: string, key: SessionStoreKey): string {
  return storeFilePath(sessionFolder(storageDir, key));
}

/**
 * Opens (creating if needed) the session journal. Live commits are synced to the disk before an
 * order leaves the process (`full`); paper survives a crash of the process but not of the machine.
 */
export function openSessionStore(storageDir: string, key: SessionStoreKey, options: { readonly logger?: Logger } = {}): SqliteStore {
  return new SqliteStore(sessionStoreFile(storageDir, key), { durability: key.mode === 'live' ? 'full' : 'normal', ...(options.logger === undefined ? {} : { logger: options.logger }) });
}
