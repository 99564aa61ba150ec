import type { Instrument, InstrumentId } from '@kbot/core';
import { UsageError } from '../exit-codes.js';

/**
 * The venue's instrument for `pair`, or a usage error naming the flag (or argument), the pair and
 * the pairs the venue lists with the same base asset (else an example): the same refusal for every
 * operator command that takes a pair.
 */
export function listedInstrument(instruments: readonly Instrument[], pair: InstrumentId, name: string, exchangeId: string): Instrument {
  const instrument = instruments.find((candidate) => candidate.id === pair);
  if (instrument !== undefined) return instrument;
  const base = pair.split('/')[0];
  const sameBase = instruments.filter((candidate) => candidate.base === base).map((candidate) => candidate.id).slice(0, 6);
  throw new UsageError(`${name}: received ${JSON.stringify(pair)}, expected a pair ${exchangeId} lists${sameBase.length > 0 ? ` (${sameBase.join(', ')})` : ', such as BTC/USD'}`);
}
