import {
  ConfigError,
  TOKENS,
  definePlugin,
  secretFromEnv,
  silentLogger,
  type DependencyContainer,
  type Exchange,
  type ExecutionClient,
  type KbotPlugin,
  type Logger,
  type PluginContext,
} from '@kbot/core';
import { DeadMansSwitch } from './dead-mans-switch.js';
import { KrakenExecutionClient, type KrakenExecutionClientOptions } from './execution-client.js';
import { KrakenInstrumentProvider } from './instrument-provider.js';
import { KeylessExecutionClient } from './keyless-execution-client.js';
import { KrakenMarketDataClient, type KrakenMarketDataClientOptions } from './market-data-client.js';
import { KrakenRestClient } from './rest/rest-client.js';
import { isKrakenSecretText } from './rest/signing.js';
import { parseKrakenSettings, resolveKrakenSettings, type KrakenSettings, type KrakenSettingsInput, type ResolvedKrakenSettings } from './settings.js';

/** A Kraken exchange: instruments, market data, execution, and the dead man's switch when enabled. */
export interface KrakenExchange extends Exchange {
  readonly id: 'kraken';
  readonly instruments: KrakenInstrumentProvider;
  readonly data: KrakenMarketDataClient;
  /** KrakenExecutionClient with keys; without keys, a client whose every call names the missing variables. */
  readonly execution: ExecutionClient;
  /** Whether API keys were found in the environment. */
  readonly hasCredentials: boolean;
  /** The REST client the exchange uses (with the key when one is set), for operator commands such as `kbot check` and `kbot panic`. */
  readonly rest: KrakenRestClient;
  /** The plugin's settings with URLs resolved; names of the key variables, never the keys. */
  readonly settings: ResolvedKrakenSettings;
  /** Set when `deadMansSwitch` is configured and keys exist: call `heartbeat()` from the bot's health loop. */
  readonly deadMansSwitch: DeadMansSwitch | undefined;
  /** Disarms the dead man's switch (clean stop) and closes both connections. */
  close(): Promise<void>;
}

export interface CreateKrakenExchangeOptions {
  /** Where keys and URLs are read; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  /** `live` refuses to start without keys. */
  readonly mode?: PluginContext['mode'];
  /** Connection and timing tuning (tests, unusual networks). */
  readonly tuning?: {
    readonly marketData?: Pick<KrakenMarketDataClientOptions, 'barGraceMs' | 'barCheckIntervalMs' | 'onBookHealth' | 'onConnectionState' | 'webSocket' | 'restFallback'>;
    readonly execution?: Pick<
      KrakenExecutionClientOptions,
      'connectTimeoutMs' | 'reconcileMarginMs' | 'unresolvedOrderGraceMs' | 'retryDelayMs' | 'pollIntervalMs' | 'fillFollowUpMs' | 'onConnectionState' | 'onReconciled' | 'onUntrackedOrder' | 'webSocket' | 'rateLimitHeadroom'
    >;
  };
}

/**
 * Builds a Kraken exchange from settings, for code that does not use the DI container. Keys come
 * only from the environment (`keyEnv`, default KRAKEN_API_KEY / KRAKEN_API_SECRET); they live in
 * private fields of the REST client and never appear in settings, logs or errors.
 */
export function createKrakenExchange(settings: KrakenSettingsInput | KrakenSettings = {}, options: CreateKrakenExchangeOptions = {}): KrakenExchange {
  const env = options.env ?? process.env;
  const logger = (options.logger ?? silentLogger).child({ exchange: 'kraken' });
  const resolved = resolveKrakenSettings(parseKrakenSettings(settings), env);
  const key = secretFromEnv(resolved.keyEnv.key, env);
  const secret = secretFromEnv(resolved.keyEnv.secret, env);
  if ((key === undefined) !== (secret === undefined)) {
    const missing = key === undefined ? resolved.keyEnv.key : resolved.keyEnv.secret;
    throw new ConfigError([{ path: missing, received: 'not set', expected: `set together with ${missing === resolved.keyEnv.key ? resolved.keyEnv.secret : resolved.keyEnv.key}: a Kraken key needs its secret` }], 'Kraken');
  }
  if (secret !== undefined && !isKrakenSecretText(secret.reveal())) {
    // Refused here, before any request: signing with it would fail every private call as if Kraken
    // had refused the key. The value is never shown, only its length.
    throw new ConfigError(
      [{
        path: resolved.keyEnv.secret,
        received: `a value of ${secret.reveal().trim().length} characters that is not base64 text`,
        expected: 'the API secret exactly as Kraken shows it: base64 text (letters, digits, + and /, a multiple of 4 characters, at most two = at the end); nothing was sent to Kraken',
      }],
      'Kraken',
    );
  }
  if (options.mode === 'live' && key === undefined) {
    throw new ConfigError(
      [{ path: `${resolved.keyEnv.key} / ${resolved.keyEnv.secret}`, received: 'not set', expected: 'a Kraken API key and secret in the environment: live mode trades on your account' }],
      'Kraken',
    );
  }
  const rest = new KrakenRestClient({
    baseUrl: resolved.restUrl,
    tier: resolved.tier,
    env,
    ...(resolved.nonceDirectory === undefined ? {} : { nonceDirectory: resolved.nonceDirectory }),
    ...(key === undefined || secret === undefined ? {} : { credentials: { apiKey: key.reveal(), apiSecret: secret.reveal() } }),
  });
  const instruments = new KrakenInstrumentProvider(rest, { logger });
  const data = new KrakenMarketDataClient({
    instruments,
    url: resolved.wsUrl,
    env,
    logger,
    venueTime: async () => (await rest.time()).unixtime * 1000,
    // Public data over REST while the WebSocket is down. Its own client, without keys and with
    // one attempt per call: the fallback paces and retries its requests itself.
    rest: new KrakenRestClient({ baseUrl: resolved.restUrl, env, maxAttempts: 1 }),
    // Order-by-order books (level3) are a private channel: only with keys.
    ...(key === undefined ? {} : { level3: { url: resolved.wsLevel3Url, getToken: async () => (await rest.getWebSocketsToken()).token } }),
    ...options.tuning?.marketData,
  });
  let execution: ExecutionClient;
  let deadMansSwitch: DeadMansSwitch | undefined;
  if (key === undefined) {
    execution = new KeylessExecutionClient(resolved.keyEnv);
  } else {
    const client = new KrakenExecutionClient({ rest, instruments, url: resolved.wsAuthUrl, env, tier: resolved.tier, logger, ...options.tuning?.execution });
    execution = client;
    if (resolved.deadMansSwitch !== undefined) {
      deadMansSwitch = new DeadMansSwitch({ ...resolved.deadMansSwitch, arm: (timeout) => client.cancelAllOrdersAfter(timeout), logger });
    }
  }
  return Object.freeze({
    id: 'kraken' as const,
    instruments,
    data,
    execution,
    hasCredentials: key !== undefined,
    rest,
    settings: resolved,
    deadMansSwitch,
    async close() {
      await deadMansSwitch?.stop();
      await Promise.all([execution.close(), data.close()]);
    },
  });
}

/**
 * The Kraken exchange plugin for `kbot.config.ts`: `exchange: kraken({ tier: 'intermediate' })`.
 * `register` binds TOKENS.Exchange (one exchange per bot container); `stop` disarms the dead
 * man's switch and closes the connections. In paper mode the CLI binds the simulated venue for
 * execution and uses only the market data and instruments from here.
 */
export function kraken(settings: KrakenSettingsInput = {}): KbotPlugin {
  // Checked now, so a bad setting fails when the config loads, not when the bot starts.
  const parsed = parseKrakenSettings(settings);
  const created = new WeakMap<DependencyContainer, KrakenExchange>();
  return definePlugin({
    name: 'kraken',
    register(container: DependencyContainer, context: PluginContext) {
      container.register(TOKENS.Exchange, {
        useFactory: (resolving) => {
          const existing = created.get(resolving) ?? created.get(container);
          if (existing !== undefined) return existing;
          // The nonce high-water mark survives restarts by default wherever the host keeps the
          // bot's data (the CLI's storage.dir): after a restart with a clock stepped back, an
          // in-memory nonce would start below what Kraken last saw and every private call would fail.
          const settings = parsed.nonceDirectory === undefined && context.storageDir !== undefined ? { ...parsed, nonceDirectory: context.storageDir } : parsed;
          const exchange = createKrakenExchange(settings, { env: context.env, logger: context.logger, mode: context.mode });
          created.set(container, exchange);
          return exchange;
        },
      });
    },
    async stop(container: DependencyContainer) {
      await created.get(container)?.close();
      created.delete(container);
    },
  });
}
