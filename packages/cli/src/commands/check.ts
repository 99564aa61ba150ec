import { existsSync } from 'node:fs';
import { Decimal, PASSPHRASE_ENV, roundPrice, roundQuantity, type Instrument, type InstrumentId } from '@kbot/core';
import { TRADING_COUNTER_LIMITS, type AddOrderParams } from '@kbot/exchange-kraken';
import { EXIT } from '../exit-codes.js';
import { probeKeyPermissions, WITHDRAWAL_NOT_CHECKABLE, type PermissionProbe } from '../operator/key-permissions.js';
import { configPairs } from '../operator/operator-flags.js';
import { withOperatorSession, type CommandOutcome, type OperatorContext, type OperatorSession } from '../operator/operator-session.js';
import type { OperatorVenue } from '../operator/operator-venue.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckItem {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** Figures behind the detail, for --json. */
  readonly data?: Readonly<Record<string, unknown>>;
}

export interface CheckOutcome {
  /** No item failed (warnings allowed). */
  readonly ok: boolean;
  readonly exchange: string;
  readonly endpoint: string;
  readonly config: string;
  readonly mode: string;
  readonly items: readonly CheckItem[];
}

/** Beyond this difference from Kraken's clock, `kbot check` warns (deadlines and bar timing drift). */
export const CLOCK_SKEW_WARN_MS = 2_000;

/**
 * The local clock against the venue's: Kraken's Time is whole seconds, so the venue time is taken
 * as the middle of its second and compared with the middle of the request's round trip.
 */
export function clockSkewItem(venueUnixSeconds: number, sentAt: number, receivedAt: number): CheckItem {
  const skewMs = Math.round(venueUnixSeconds * 1000 + 500 - (sentAt + receivedAt) / 2);
  const direction = skewMs >= 0 ? 'behind' : 'ahead of';
  const size = Math.abs(skewMs) >= 10_000 ? `${(Math.abs(skewMs) / 1000).toFixed(0)} s` : `${Math.abs(skewMs)} ms`;
  const detail = `this computer's clock is ${size} ${direction} the venue's (±1 s: Kraken's Time has whole seconds)`;
  return Math.abs(skewMs) > CLOCK_SKEW_WARN_MS
    ? { name: 'clock', status: 'warn', detail: `${detail}; above ${CLOCK_SKEW_WARN_MS / 1000} s: synchronise the clock (NTP)`, data: { skewMs } }
    : { name: 'clock', status: 'ok', detail, data: { skewMs } };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface KeySource {
  /** The key came from the key file (the environment lacked the plugin's variables). */
  readonly fromFile: boolean;
  /** `KRAKEN_API_KEY and KRAKEN_API_SECRET are set in the environment`, or `the key and secret come from the key file <path>`. */
  readonly described: string;
  /** `KRAKEN_API_KEY`, or `the key file <path>`. */
  readonly from: string;
  /** A key file that exists but was not unlocked (no KBOT_KEYS_PASSPHRASE, nobody asked). */
  readonly lockedFile: string | undefined;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * Where the exchange's key came from. The key file fills in only the variables the environment
 * lacks, so the key is the file's when the file was used and the environment has no key variable
 * of the plugin's own (`keyEnv`).
 */
function keySource(opened: OperatorSession['opened'], key: string, secret: string, env: Readonly<Record<string, string | undefined>>): KeySource {
  const inEnvironment = (env[key]?.trim() ?? '') !== '';
  const fromFile = opened.credentialSource === 'key-file' && !inEnvironment;
  const lockedFile = opened.credentialSource === 'none' && !inEnvironment && (env[PASSPHRASE_ENV] ?? '') === '' && existsSync(opened.keyFile) ? opened.keyFile : undefined;
  return fromFile
    ? { fromFile, described: `the key and secret come from the key file ${opened.keyFile}`, from: `the key file ${opened.keyFile}`, lockedFile, data: { source: 'key-file', keyFile: opened.keyFile } }
    : { fromFile, described: `${key} and ${secret} are set in the environment`, from: key, lockedFile, data: { source: 'environment', variables: [key, secret] } };
}

function permissionItem(probe: PermissionProbe): CheckItem {
  const status: CheckStatus = probe.state === 'granted' ? 'ok' : probe.state === 'unknown' ? 'warn' : 'fail';
  const detail = probe.state === 'denied' ? `missing (${probe.endpoint}: ${probe.detail}); the bot needs it` : `${probe.state === 'granted' ? 'granted' : probe.state} (${probe.endpoint}: ${probe.detail})`;
  return { name: `permission: ${probe.permission}`, status, detail, data: { state: probe.state, endpoint: probe.endpoint } };
}

/**
 * A validate-only order for the "Create & Modify Orders" probe: a small limit buy at half the bid
 * on a pair the config trades (or BTC/USD), sized to clear the pair's minimums. Kraken checks and
 * never places it; priced far below the market so that even a venue that ignored `validate` would
 * only rest it, not fill it.
 */
async function sampleOrder(venue: OperatorVenue, instruments: readonly Instrument[], pairs: readonly InstrumentId[]): Promise<AddOrderParams | undefined> {
  const online = instruments.filter((instrument) => instrument.status === 'online');
  const instrument = online.find((candidate) => pairs.includes(candidate.id)) ?? online.find((candidate) => candidate.id === 'BTC/USD') ?? online[0];
  if (instrument === undefined) return undefined;
  const bid = (await venue.fetchPrices([instrument.id])).get(instrument.id)?.bid;
  if (bid === undefined || bid.lessThanOrEqualTo(0)) return undefined;
  let price = roundPrice(instrument, bid.dividedBy(2), 'down');
  if (price.lessThanOrEqualTo(0)) price = bid;
  const forCost = instrument.minCost.times('1.1').dividedBy(price);
  let volume = roundQuantity(instrument, Decimal.max(instrument.minQuantity, forCost));
  while (volume.lessThan(instrument.minQuantity) || volume.times(price).lessThan(instrument.minCost) || volume.isZero()) volume = volume.plus(instrument.quantityIncrement);
  return { pair: instrument.venueSymbol, type: 'buy', ordertype: 'limit', price: price.toFixed(instrument.pricePrecision), volume: volume.toFixed(instrument.quantityPrecision) };
}

/**
 * `kbot check`: is this bot ready to trade? The config, the venue's reachability and status, the
 * clock, the config's pairs, the API key and each permission the bot needs (probed with harmless
 * calls; withdrawal permission cannot be probed and is always a warning), and the rate-limit tier.
 * Exit 4 when anything failed; warnings do not change the exit code.
 */
export async function checkCommand(flags: { readonly config?: string; readonly json?: boolean }, context: OperatorContext): Promise<CommandOutcome & { readonly outcome: CheckOutcome }> {
  return withOperatorSession({ flags, context, command: 'kbot check' }, async ({ opened, kraken, venue }) => {
    const now = context.now ?? Date.now;
    const { config } = opened;
    const rest = kraken.rest;
    const items: CheckItem[] = [];
    const pairs = configPairs(opened);
    const strategies = opened.bot.strategies.length;
    items.push({
      name: 'config',
      status: 'ok',
      detail: `${opened.file}: bot "${config.name}", mode ${config.mode}, ${strategies} ${strategies === 1 ? 'strategy' : 'strategies'}${pairs.length > 0 ? ` on ${pairs.join(', ')}` : ''}`,
      data: { file: opened.file, name: config.name, mode: config.mode, pairs },
    });

    let reachable = true;
    try {
      const sentAt = now();
      const status = await rest.systemStatus();
      const roundTripMs = now() - sentAt;
      const online = status.status === 'online';
      items.push({
        name: 'connectivity',
        status: online ? 'ok' : 'warn',
        detail: `${rest.baseUrl} answered in ${roundTripMs} ms; system status ${status.status}${online ? '' : ' (trading is restricted until it is online again)'}`,
        data: { endpoint: rest.baseUrl, roundTripMs, systemStatus: status.status },
      });
      const before = now();
      const time = await rest.time();
      items.push(clockSkewItem(time.unixtime, before, now()));
    } catch (error) {
      reachable = false;
      items.push({ name: 'connectivity', status: 'fail', detail: `${rest.baseUrl} could not be used: ${message(error)}`, data: { endpoint: rest.baseUrl } });
    }

    let instruments: readonly Instrument[] = [];
    if (reachable) {
      try {
        instruments = await venue.instruments();
        const listed = new Map(instruments.map((instrument) => [instrument.id, instrument]));
        const missing = pairs.filter((pair) => !listed.has(pair));
        const halted = pairs.filter((pair) => listed.has(pair) && listed.get(pair)!.status !== 'online');
        items.push({
          name: 'pairs',
          status: missing.length > 0 ? 'fail' : halted.length > 0 ? 'warn' : 'ok',
          detail:
            missing.length > 0
              ? `the venue does not list ${missing.join(', ')} (the config trades ${missing.length === 1 ? 'it' : 'them'})`
              : halted.length > 0
                ? `${halted.map((pair) => `${pair} is ${listed.get(pair)!.status}`).join(', ')}`
                : `${instruments.length} ${instruments.length === 1 ? 'pair' : 'pairs'} listed${pairs.length > 0 ? `, including ${pairs.join(', ')}` : ''}`,
          data: { listed: instruments.length, missing, restricted: halted },
        });
      } catch (error) {
        items.push({ name: 'pairs', status: 'fail', detail: `AssetPairs failed: ${message(error)}` });
      }
    }

    const { key, secret } = kraken.settings.keyEnv;
    const keys = keySource(opened, key, secret, context.env ?? process.env);
    if (!kraken.hasCredentials) {
      const locked = keys.lockedFile === undefined ? '' : `, and the key file ${keys.lockedFile} is locked (set ${PASSPHRASE_ENV} to unlock it here)`;
      items.push({
        name: 'API key',
        status: config.mode === 'live' ? 'fail' : 'warn',
        detail: `${key} / ${secret} are not set${locked}: market data and paper trading need no key; live trading and balance, orders, sell, cancel-all, panic do`,
        data: { source: 'none', keyFile: opened.keyFile, keyFileLocked: keys.lockedFile !== undefined },
      });
      items.push({ name: 'key permissions', status: 'skip', detail: 'no API key' });
    } else if (!reachable) {
      items.push({ name: 'API key', status: 'skip', detail: `${keys.described} (values not shown); not tried: the venue could not be reached`, data: keys.data });
    } else {
      const report = await probeKeyPermissions(rest, await sampleOrder(venue, instruments, pairs).catch(() => undefined));
      const refusal = report.probes[0]?.detail ?? 'unknown reason';
      if (!report.authenticated) {
        items.push({ name: 'API key', status: 'fail', detail: `the venue refused the key in ${keys.from}: ${refusal}; other permissions not probed (repeated failures lock the key for about 15 minutes)`, data: keys.data });
      } else {
        items.push({ name: 'API key', status: 'ok', detail: `${keys.described} (values not shown) and accepted`, data: keys.data });
        items.push(...report.probes.map(permissionItem));
        // Kraken offers no read-only way to see this permission, so it is always a warning.
        items.push({ name: 'permission: Withdraw Funds', status: 'warn', detail: WITHDRAWAL_NOT_CHECKABLE, data: { state: 'unknown' } });
      }
    }

    const tier = kraken.settings.tier;
    const counter = rest.restCounter();
    const trading = TRADING_COUNTER_LIMITS[tier];
    items.push({
      name: 'rate limits',
      status: 'ok',
      detail:
        `tier ${tier} (from the config; Kraken does not report it, and a tier above the account's gets "EAPI:Rate limit exceeded"): ` +
        `REST counter ${counter.max} max, −${counter.decayPerSecond}/s, ${counter.remaining.toFixed(1)} free now; ` +
        `orders ${trading.threshold} per pair, −${trading.decayPerSecond}/s, at most ${trading.maxOpenOrdersPerPair} open per pair`,
      data: { tier, restCounterMax: counter.max, restCounterDecayPerSecond: counter.decayPerSecond, restCounterRemaining: Number(counter.remaining.toFixed(2)), tradingThreshold: trading.threshold, tradingDecayPerSecond: trading.decayPerSecond, maxOpenOrdersPerPair: trading.maxOpenOrdersPerPair },
    });

    const outcome: CheckOutcome = { ok: !items.some((item) => item.status === 'fail'), exchange: kraken.id, endpoint: rest.baseUrl, config: opened.file, mode: config.mode, items };
    const exitCode = outcome.ok ? EXIT.ok : EXIT.exchange;
    if (flags.json) return { exitCode, outcome, output: JSON.stringify(outcome) };
    const width = Math.max(...items.map((item) => item.name.length));
    const counts = (status: CheckStatus) => items.filter((item) => item.status === status).length;
    const lines = [
      `kbot check: ${kraken.id} at ${rest.baseUrl}`,
      ...items.map((item) => `${item.status.toUpperCase().padEnd(4)}  ${item.name.padEnd(width)}  ${item.detail}`),
      `${counts('ok')} ok, ${counts('warn')} warning${counts('warn') === 1 ? '' : 's'}, ${counts('fail')} failed${counts('skip') > 0 ? `, ${counts('skip')} skipped` : ''}`,
    ];
    return { exitCode, outcome, output: lines.join('\n') };
  });
}
