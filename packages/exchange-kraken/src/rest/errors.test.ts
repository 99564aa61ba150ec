import { describe, expect, it } from 'vitest';
import type { ExchangeErrorKind } from '@kbot/core';
import { classifyKrakenError, krakenError, krakenErrorFromEnvelope, throttledRetryAfterMs } from './errors.js';

// Every string of the spec's error catalogue (§3.3), with suffixed variants where the spec shows them.
const CATALOGUE: readonly [string, ExchangeErrorKind, boolean][] = [
  ['EGeneral:Invalid arguments', 'invalid-order', false],
  ['EGeneral:Invalid arguments:ordertype', 'invalid-order', false],
  ['EGeneral:Invalid arguments:Index unavailable', 'invalid-order', false],
  ['EGeneral:Permission denied', 'permission', false],
  ['EGeneral:Unknown method', 'unknown', false],
  ['EGeneral:Temporary lockout', 'authentication', false],
  ['EGeneral:Internal error', 'unavailable', true],
  ['EGeneral:Internal error:12345', 'unavailable', true],
  ['EGeneral:Too many requests', 'rate-limited', true],
  ['EAPI:Invalid key', 'authentication', false],
  ['EAPI:Invalid signature', 'authentication', false],
  ['EAPI:Invalid nonce', 'invalid-nonce', true],
  ['EAPI:Rate limit exceeded', 'rate-limited', true],
  ['EAPI:Invalid token', 'authentication', true],
  ['ESession:Invalid session', 'authentication', true],
  ['EAuth:Rate limit exceeded', 'rate-limited', true],
  ['EAuth:Too many requests', 'rate-limited', true],
  ['EService:Unavailable', 'unavailable', true],
  ['EService:Busy', 'unavailable', true],
  ['EService:Market in cancel_only mode', 'unavailable', false],
  ['EService:Market in post_only mode', 'invalid-order', false],
  ['EService:Deadline elapsed', 'unavailable', true],
  ['EService:Throttled: 1700000000', 'rate-limited', true],
  ['EDatabase:Internal error', 'unavailable', true],
  ['EQuery:Unknown asset pair', 'invalid-order', false],
  ['EQuery:Unknown asset', 'invalid-order', false],
  ['EOrder:Insufficient funds', 'insufficient-funds', false],
  ['EOrder:Order minimum not met', 'invalid-order', false],
  ['EOrder:Cost minimum not met', 'invalid-order', false],
  ['EOrder:Invalid price:XXBTZEUR price can only be specified up to 1 decimals.', 'invalid-order', false],
  ['EOrder:Tick size check failed', 'invalid-order', false],
  ['EOrder:Invalid price', 'invalid-order', false],
  ['EOrder:Invalid order', 'order-not-found', false],
  ['EOrder:Unknown order', 'order-not-found', false],
  ['EOrder:Rate limit exceeded', 'rate-limited', true],
  ['EOrder:Domain rate limit exceeded', 'rate-limited', true],
  ['EOrder:Orders limit exceeded', 'invalid-order', false],
  ['EOrder:Scheduled orders limit exceeded', 'invalid-order', false],
  ['EOrder:Positions limit exceeded', 'invalid-order', false],
  ['EOrder:Margin allowance exceeded', 'invalid-order', false],
  ['EOrder:Margin level too low', 'invalid-order', false],
  ['EOrder:Insufficient margin', 'insufficient-funds', false],
  ['EOrder:Cannot open position', 'invalid-order', false],
  ['EOrder:Cannot open opposing position', 'invalid-order', false],
  ['EOrder:Reduce only:No position exists', 'invalid-order', false],
  ['ETrade:User Locked', 'permission', false],
  ['EGeneral:Invalid arguments:volume', 'invalid-order', false],
];

describe('Kraken error table', () => {
  it.each(CATALOGUE)('%s is %s (retryable: %s)', (venueMessage, kind, retryable) => {
    const error = krakenError(venueMessage, { endpoint: 'AddOrder', now: 0 });
    expect(error.kind).toBe(kind);
    expect(error.retryable).toBe(retryable);
    expect(error.venueMessage).toBe(venueMessage);
    expect(error.code).toBe(`exchange-${kind}`);
    expect(error.message).toContain('Kraken AddOrder');
    expect(error.message).toContain(venueMessage);
  });

  it('tells the longer of two overlapping prefixes apart when a suffix is appended', () => {
    expect(classifyKrakenError('EQuery:Unknown asset pair:XBTFOO').meaning).toContain('pair');
    expect(classifyKrakenError('EQuery:Unknown asset:FOO').meaning).toContain('asset');
    expect(classifyKrakenError('EQuery:Unknown asset:FOO').meaning).not.toContain('pair');
  });

  it('matches a known string that gained a suffix by prefix', () => {
    expect(classifyKrakenError('EOrder:Insufficient funds:hold').kind).toBe('insufficient-funds');
  });

  it('flags the errors after which an order may or may not exist', () => {
    expect(classifyKrakenError('EGeneral:Internal error:7').orderOutcomeUnknown).toBe(true);
    expect(classifyKrakenError('EService:Unavailable').orderOutcomeUnknown).toBe(true);
    expect(classifyKrakenError('EOrder:Insufficient funds').orderOutcomeUnknown).toBeUndefined();
    expect(classifyKrakenError('EService:Busy').orderOutcomeUnknown).toBeUndefined();
  });

  it('maps strings it does not know to kind unknown, not retryable', () => {
    const error = krakenError('EFunding:Something new');
    expect(error.kind).toBe('unknown');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('EFunding:Something new');
  });

  it('gives the temporary lockout its documented 15 minutes', () => {
    expect(krakenError('EGeneral:Temporary lockout').retryAfterMs).toBe(900_000);
  });
});

describe('EService:Throttled', () => {
  it('waits until the timestamp in epoch seconds', () => {
    const error = krakenError('EService:Throttled: 1700000010', { now: 1_700_000_000_000 });
    expect(error.retryAfterMs).toBe(10_000);
  });

  it('accepts fractional seconds, milliseconds and RFC3339', () => {
    expect(throttledRetryAfterMs('EService:Throttled: 1700000001.5', 1_700_000_000_000)).toBe(1_500);
    expect(throttledRetryAfterMs('EService:Throttled: 1700000000250', 1_700_000_000_000)).toBe(250);
    expect(throttledRetryAfterMs('EService:Throttled: 2023-11-14T22:13:25Z', Date.parse('2023-11-14T22:13:20Z'))).toBe(5_000);
  });

  it('never waits a negative time and leaves an unreadable stamp undefined', () => {
    expect(throttledRetryAfterMs('EService:Throttled: 1600000000', 1_700_000_000_000)).toBe(0);
    expect(throttledRetryAfterMs('EService:Throttled: soon', 0)).toBeUndefined();
    expect(krakenError('EService:Throttled: soon').retryAfterMs).toBeUndefined();
  });
});

describe('krakenErrorFromEnvelope', () => {
  it('ignores warnings and reports the first error with the rest in the message', () => {
    const error = krakenErrorFromEnvelope(['WGeneral:Deprecated', 'EOrder:Insufficient funds', 'EGeneral:Invalid arguments:volume'], {
      endpoint: 'AddOrder',
    });
    expect(error?.kind).toBe('insufficient-funds');
    expect(error?.message).toContain('EGeneral:Invalid arguments:volume');
  });

  it('returns undefined when there are only warnings', () => {
    expect(krakenErrorFromEnvelope(['WGeneral:Something'])).toBeUndefined();
    expect(krakenErrorFromEnvelope([])).toBeUndefined();
  });
});
