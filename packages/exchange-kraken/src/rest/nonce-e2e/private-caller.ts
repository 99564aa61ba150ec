/*
 * One process of the two-process proofs (nonce-processes.e2e.test.ts,
 * rest-counter-processes.e2e.test.ts): a KrakenRestClient sharing a key folder (nonce and REST
 * counter files) with the other process, making private calls until told how many, and printing
 * one JSON line per call, then a summary line.
 *
 * argv: <baseUrl> <nonceDirectory> <calls> <label> <pauseMs> <aheadMs> [maxAttempts]; the key and
 * secret come from the environment. The pause between calls stretches the run so the two
 * processes overlap. With aheadMs > 0 the process first moves the key's nonce that far ahead of
 * the clock, as a key that once saw larger nonces (another library, an earlier bump) has to be.
 * maxAttempts 1 makes any refusal by the exchange an error instead of a retry. With
 * E2E_OWN_REST_COUNTER=1 the process keeps a REST counter of its own (not the shared file), to
 * see the REST counter proof fail without the sharing.
 */
import { isKbotError } from '@kbot/core';
import { NonceService } from '../nonce.js';
import { RestRateLimiter } from '../rate-limiter.js';
import { KrakenRestClient } from '../rest-client.js';

const [baseUrl, nonceDirectory, callsText, label, pauseText, aheadText, attemptsText] = process.argv.slice(2) as [string, string, string, string, string, string, string | undefined];
const calls = Number(callsText);
const pauseMs = Number(pauseText);
const aheadMs = Number(aheadText);
const client = new KrakenRestClient({
  baseUrl,
  tier: 'pro',
  nonceDirectory,
  ...(attemptsText === undefined ? {} : { maxAttempts: Number(attemptsText) }),
  ...(process.env.E2E_OWN_REST_COUNTER === '1' ? { restLimiter: new RestRateLimiter('pro') } : {}),
  env: {},
  credentials: { apiKey: process.env.E2E_KRAKEN_KEY!, apiSecret: process.env.E2E_KRAKEN_SECRET! },
});

if (aheadMs > 0) new NonceService({ apiKey: process.env.E2E_KRAKEN_KEY!, directory: nonceDirectory }).bumpPast((Date.now() + aheadMs) * 1000);

let ok = 0;
const errors: string[] = [];
process.stdout.write(`${JSON.stringify({ label, event: 'started', at: Date.now() })}\n`);
for (let index = 0; index < calls; index++) {
  try {
    await client.balance();
    ok++;
  } catch (error) {
    errors.push(isKbotError(error) ? `${error.code}: ${error.message}` : String(error));
  }
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
}
process.stdout.write(`${JSON.stringify({ label, event: 'done', at: Date.now(), ok, errors })}\n`);
