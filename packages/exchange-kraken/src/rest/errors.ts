import { ExchangeError, type ExchangeErrorKind } from '@kbot/core';

/** How kbot treats one Kraken error string (spec §3.3). */
export interface KrakenErrorRule {
  readonly kind: ExchangeErrorKind;
  readonly retryable: boolean;
  /** What the error means, in words a user can act on; goes into the ExchangeError message. */
  readonly meaning: string;
  /**
   * The venue failed without saying whether an order it was given exists: AddOrder must be
   * reconciled (by cl_ord_id) before anything is resent.
   */
  readonly orderOutcomeUnknown?: boolean;
  /** A fixed wait the venue is known to impose (the temporary lockout). */
  readonly retryAfterMs?: number;
}

const rule = (kind: ExchangeErrorKind, retryable: boolean, meaning: string, extra: Partial<KrakenErrorRule> = {}): KrakenErrorRule =>
  Object.freeze({ kind, retryable, meaning, ...extra });

const INVALID_ARGUMENTS = rule('invalid-order', false, 'a parameter is malformed, missing or ambiguous; fix the request');
const MARGIN_ONLY = 'a margin error that a spot bot should never see; check the order flags';

/** Strings Kraken sends verbatim, with nothing appended. */
export const KRAKEN_EXACT_ERRORS: ReadonlyMap<string, KrakenErrorRule> = new Map([
  ['EGeneral:Invalid arguments', INVALID_ARGUMENTS],
  ['EGeneral:Invalid arguments:Index unavailable', rule('invalid-order', false, 'the index price for trigger orders on this pair is unavailable')],
  ['EGeneral:Invalid arguments:volume', rule('invalid-order', false, 'the volume is invalid (too many decimals?); round it to the pair lot_decimals')],
  ['EGeneral:Permission denied', rule('permission', false, 'the API key lacks the permission this call needs')],
  ['EGeneral:Unknown method', rule('unknown', false, 'Kraken does not know this endpoint')],
  [
    'EGeneral:Temporary lockout',
    rule('authentication', false, 'the key or IP is locked for about 15 minutes after repeated failed calls (bad key, signature or nonce); stop private calls and check the key', {
      retryAfterMs: 15 * 60_000,
    }),
  ],
  ['EGeneral:Too many requests', rule('rate-limited', true, 'throttled; back off')],
  ['EAPI:Invalid key', rule('authentication', false, 'the API-Key header is wrong or missing; repeating this leads to a lockout')],
  ['EAPI:Invalid signature', rule('authentication', false, 'the API-Sign header does not match the body; check the API secret')],
  ['EAPI:Invalid nonce', rule('invalid-nonce', true, 'the nonce is not larger than the last nonce Kraken accepted for this key')],
  ['EAPI:Rate limit exceeded', rule('rate-limited', true, 'the REST call counter is exhausted; wait for it to decay, since calling again prolongs it')],
  ['EAPI:Invalid token', rule('authentication', true, 'the WebSocket token is stale; fetch a new one and resend')],
  ['ESession:Invalid session', rule('authentication', true, 'the WebSocket session is stale; fetch a new token and resend')],
  ['EAuth:Rate limit exceeded', rule('rate-limited', true, 'authentication is throttled; back off')],
  ['EAuth:Too many requests', rule('rate-limited', true, 'authentication is throttled; back off')],
  ['EService:Unavailable', rule('unavailable', true, 'the matching engine or API is offline; reconcile orders before resending', { orderOutcomeUnknown: true })],
  ['EService:Busy', rule('unavailable', true, 'the service is busy; back off')],
  ['EService:Market in cancel_only mode', rule('unavailable', false, 'the market only accepts cancels until its status changes (poll SystemStatus)')],
  ['EService:Market in post_only mode', rule('invalid-order', false, 'the market only accepts post-only limit orders; resubmit as post-only or wait')],
  ['EService:Deadline elapsed', rule('unavailable', true, 'the request was not processed before its deadline; resend with a new deadline')],
  ['EDatabase:Internal error', rule('unavailable', true, 'a transient Kraken database failure; reconcile orders before resending', { orderOutcomeUnknown: true })],
  ['EQuery:Unknown asset pair', rule('invalid-order', false, 'Kraken does not know this pair')],
  ['EQuery:Unknown asset', rule('invalid-order', false, 'Kraken does not know this asset')],
  ['EOrder:Insufficient funds', rule('insufficient-funds', false, 'not enough balance, including fees and holds')],
  ['EOrder:Order minimum not met', rule('invalid-order', false, 'the volume is below the pair ordermin')],
  ['EOrder:Cost minimum not met', rule('invalid-order', false, 'price × volume is below the pair costmin')],
  ['EOrder:Tick size check failed', rule('invalid-order', false, 'the price is not a multiple of the pair tick_size')],
  ['EOrder:Invalid order', rule('order-not-found', false, 'the order id is unknown or the order is already closed')],
  ['EOrder:Unknown order', rule('order-not-found', false, 'the order id is unknown')],
  ['EOrder:Rate limit exceeded', rule('rate-limited', true, "the pair's trading counter is exhausted; wait for it to decay")],
  ['EOrder:Domain rate limit exceeded', rule('rate-limited', true, 'the account-wide trading counter (master and subaccounts) is exhausted; wait for it to decay')],
  ['EOrder:Orders limit exceeded', rule('invalid-order', false, 'too many open orders on this pair; wait until some close')],
  ['EOrder:Scheduled orders limit exceeded', rule('invalid-order', false, 'too many open trigger orders')],
  ['EOrder:Positions limit exceeded', rule('invalid-order', false, MARGIN_ONLY)],
  ['EOrder:Margin allowance exceeded', rule('invalid-order', false, MARGIN_ONLY)],
  ['EOrder:Margin level too low', rule('invalid-order', false, MARGIN_ONLY)],
  ['EOrder:Insufficient margin', rule('insufficient-funds', false, MARGIN_ONLY)],
  ['EOrder:Cannot open position', rule('invalid-order', false, MARGIN_ONLY)],
  ['EOrder:Cannot open opposing position', rule('invalid-order', false, MARGIN_ONLY)],
  ['EOrder:Reduce only:No position exists', rule('invalid-order', false, MARGIN_ONLY)],
  ['ETrade:User Locked', rule('permission', false, 'the account is locked; contact Kraken')],
]);

/** Strings that carry a variable suffix (`:<field>`, `:<code>`, `: <timestamp>`, `:<pair> ...`). */
export const KRAKEN_PREFIX_ERRORS: readonly (readonly [prefix: string, rule: KrakenErrorRule])[] = [
  ['EGeneral:Invalid arguments:', INVALID_ARGUMENTS],
  ['EGeneral:Internal error', rule('unavailable', true, 'a Kraken server failure; reconcile orders before resending', { orderOutcomeUnknown: true })],
  ['EService:Throttled', rule('rate-limited', true, 'throttled until the time Kraken gave')],
  ['EOrder:Invalid price:', rule('invalid-order', false, "the price has too many decimals; round it to the pair's pair_decimals and tick_size")],
  ['EOrder:Invalid price', rule('invalid-order', false, 'the price is invalid (zero, negative or otherwise unusable)')],
];

const UNKNOWN = rule('unknown', false, 'an error kbot does not recognise');

// Longest first, so `EQuery:Unknown asset pair` wins over `EQuery:Unknown asset` when a suffix is appended.
const PREFIX_SEARCH: readonly (readonly [string, KrakenErrorRule])[] = [...KRAKEN_PREFIX_ERRORS, ...KRAKEN_EXACT_ERRORS].sort(
  (a, b) => b[0].length - a[0].length,
);

/** The rule for one error string: exact match first, then the longest known prefix. */
export function classifyKrakenError(venueMessage: string): KrakenErrorRule {
  const text = venueMessage.trim();
  return KRAKEN_EXACT_ERRORS.get(text) ?? PREFIX_SEARCH.find(([prefix]) => text.startsWith(prefix))?.[1] ?? UNKNOWN;
}

/** `W...` strings are warnings that accompany a successful result. */
export function isKrakenWarning(venueMessage: string): boolean {
  return venueMessage.startsWith('W');
}

/**
 * Milliseconds until the wall-clock time in `EService:Throttled: <timestamp>`. The timestamp is
 * read as epoch seconds (fractions allowed), epoch milliseconds when it is that large, or an
 * RFC3339 date; undefined when none of these fit.
 */
export function throttledRetryAfterMs(venueMessage: string, now: number): number | undefined {
  const match = /^EService:Throttled:\s*(.+)$/.exec(venueMessage.trim());
  if (!match) return undefined;
  const stamp = match[1]!.trim();
  let untilMs: number;
  if (/^\d+(\.\d+)?$/.test(stamp)) {
    const value = Number(stamp);
    untilMs = value >= 1e12 ? value : value * 1000;
  } else {
    untilMs = Date.parse(stamp);
  }
  if (!Number.isFinite(untilMs)) return undefined;
  return Math.max(0, Math.ceil(untilMs - now));
}

export interface KrakenErrorContext {
  /** Endpoint name (`AddOrder`), for the message. */
  readonly endpoint?: string;
  /** Wall clock in epoch ms, for `EService:Throttled`. */
  readonly now?: number;
  readonly cause?: unknown;
}

/** One Kraken error string → ExchangeError with kind, retryable and retryAfterMs. */
export function krakenError(venueMessage: string, context: KrakenErrorContext = {}, allMessages?: readonly string[]): ExchangeError {
  const found = classifyKrakenError(venueMessage);
  const retryAfterMs = found.retryAfterMs ?? throttledRetryAfterMs(venueMessage, context.now ?? Date.now());
  const others = (allMessages ?? []).filter((message) => message !== venueMessage);
  const where = context.endpoint ? `Kraken ${context.endpoint}` : 'Kraken';
  const also = others.length > 0 ? ` (also reported: ${others.join('; ')})` : '';
  return new ExchangeError(found.kind, `${where} failed with ${venueMessage}: ${found.meaning}${also}`, {
    retryable: found.retryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    venueMessage,
    cause: context.cause,
  });
}

/**
 * The `error` array of a Kraken envelope → the ExchangeError for its first `E...` string, or
 * undefined when it holds only warnings (or nothing).
 */
export function krakenErrorFromEnvelope(errors: readonly unknown[], context: KrakenErrorContext = {}): ExchangeError | undefined {
  const messages = errors.map((entry) => String(entry));
  const first = messages.find((message) => !isKrakenWarning(message));
  return first === undefined ? undefined : krakenError(first, context, messages);
}
