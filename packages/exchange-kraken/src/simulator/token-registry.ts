import { newWebSocketToken } from './kraken-ids.js';
import type { SimAccount } from './simulator-account.js';

/** Kraken's WebSocket token lifetime for establishing subscriptions (spec §6.9). */
export const TOKEN_TTL_SECONDS = 900;

/** WebSocket tokens handed out by GetWebSocketsToken. */
export class TokenRegistry {
  readonly #tokens = new Map<string, { readonly account: SimAccount; readonly issuedAtWall: number }>();

  issue(account: SimAccount, wallNow: number): string {
    const token = newWebSocketToken();
    this.#tokens.set(token, { account, issuedAtWall: wallNow });
    return token;
  }

  /** The account of a token still within its 15 minutes, else undefined. */
  fresh(token: unknown, wallNow: number): SimAccount | undefined {
    if (typeof token !== 'string') return undefined;
    const entry = this.#tokens.get(token);
    if (entry === undefined || wallNow - entry.issuedAtWall > TOKEN_TTL_SECONDS * 1000) return undefined;
    return entry.account;
  }

  /** The account of a token regardless of age (a connection that subscribed with it keeps using it). */
  owner(token: unknown): SimAccount | undefined {
    return typeof token === 'string' ? this.#tokens.get(token)?.account : undefined;
  }

  /** Makes every token issued so far stale (tests of token refresh). */
  expireAll(): void {
    for (const [token, entry] of this.#tokens) this.#tokens.set(token, { account: entry.account, issuedAtWall: -Infinity });
  }
}
