import { ConfigError, configIssuesFromZod, type ConfigIssue } from '@kbot/core';
import { z } from 'zod';
import { DEFAULT_KRAKEN_REST_URL } from './rest/rest-client.js';
import { DEFAULT_KRAKEN_WS_AUTH_URL, DEFAULT_KRAKEN_WS_URL } from './ws/kraken-ws-client.js';

function url(protocols: readonly string[], example: string) {
  return z.string().refine(
    (text) => {
      try {
        return protocols.includes(new URL(text).protocol);
      } catch {
        return false;
      }
    },
    { message: `a ${protocols.map((protocol) => protocol.replace(':', '')).join(' or ')} URL such as ${example}` },
  );
}

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name such as KRAKEN_API_KEY');

/** The Kraken plugin's settings (`kraken({ ... })` in kbot.config.ts). API keys are never among them. */
export const krakenSettingsSchema = z
  .object({
    /** REST base URL; env `KRAKEN_REST_URL`, then https://api.kraken.com. */
    restUrl: url(['http:', 'https:'], DEFAULT_KRAKEN_REST_URL).optional(),
    /** Public WebSocket v2 URL; env `KRAKEN_WS_URL`, then Kraken's. */
    wsUrl: url(['ws:', 'wss:'], DEFAULT_KRAKEN_WS_URL).optional(),
    /** Authenticated WebSocket v2 URL; env `KRAKEN_WS_AUTH_URL`, then Kraken's. */
    wsAuthUrl: url(['ws:', 'wss:'], DEFAULT_KRAKEN_WS_AUTH_URL).optional(),
    /**
     * WebSocket v2 URL of the `level3` channel (order-by-order books, `orders: true`); env
     * `KRAKEN_WS_L3_URL`, then the authenticated URL. Kraken's pages name both
     * wss://ws-auth.kraken.com/v2 and wss://ws-l3.kraken.com/v2 for it (spec §1).
     */
    wsLevel3Url: url(['ws:', 'wss:'], DEFAULT_KRAKEN_WS_AUTH_URL).optional(),
    /** Account tier: sets the REST and trading rate limits kbot keeps to. */
    tier: z.enum(['starter', 'intermediate', 'pro']).default('starter'),
    /** Cancel every order if the bot stops refreshing: Kraken's CancelAllOrdersAfter, refreshed from the health heartbeat. */
    deadMansSwitch: z
      .object({
        timeoutSeconds: z.number().int().min(1).max(86_399).default(60),
        refreshSeconds: z.number().positive().default(20),
      })
      .strict()
      .superRefine((value, context) => {
        if (value.refreshSeconds < value.timeoutSeconds) return;
        context.addIssue({
          code: 'custom',
          path: ['refreshSeconds'],
          input: value.refreshSeconds,
          message: `below timeoutSeconds (${value.timeoutSeconds}), or Kraken cancels every order between two refreshes`,
        });
      })
      .optional(),
    /** Where the nonce high-water mark of the key is kept across restarts. */
    nonceDirectory: z.string().min(1).optional(),
    /** Names of the environment variables holding the key and its secret. */
    keyEnv: z.object({ key: envName.default('KRAKEN_API_KEY'), secret: envName.default('KRAKEN_API_SECRET') }).strict().default({ key: 'KRAKEN_API_KEY', secret: 'KRAKEN_API_SECRET' }),
  })
  .strict();

export type KrakenSettingsInput = z.input<typeof krakenSettingsSchema>;
export type KrakenSettings = z.output<typeof krakenSettingsSchema>;

/** Fields people try to put keys in: refused with a message that never repeats the value. */
const SECRET_FIELDS = ['apiKey', 'apiSecret', 'key', 'secret', 'privateKey', 'otp', 'password', 'credentials'];

/** Settings after environment defaults: every URL resolved. */
export interface ResolvedKrakenSettings extends KrakenSettings {
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly wsAuthUrl: string;
  readonly wsLevel3Url: string;
}

/**
 * Checks `kraken({ ... })` settings; every problem comes back in one ConfigError naming the
 * field (`kraken.tier: received "gold", expected one of ...`). A key or secret in the settings
 * is refused without echoing it.
 */
export function parseKrakenSettings(input: unknown = {}, path = 'kraken'): KrakenSettings {
  if (typeof input === 'object' && input !== null) {
    const misplaced = SECRET_FIELDS.filter((field) => field in input);
    if (misplaced.length > 0) {
      throw new ConfigError(
        misplaced.map((field) => ({
          path: `${path}.${field}`,
          received: '(a value, not shown)',
          expected: 'no credentials in the config: set KRAKEN_API_KEY and KRAKEN_API_SECRET in the environment (or name other variables with keyEnv)',
        })),
      );
    }
  }
  const parsed = krakenSettingsSchema.safeParse(input ?? {}, { reportInput: true });
  if (!parsed.success) throw new ConfigError(configIssuesFromZod(parsed.error, path));
  return parsed.data;
}

/**
 * Fills in the URLs: the settings win over the environment (`KRAKEN_REST_URL`, `KRAKEN_WS_URL`,
 * `KRAKEN_WS_AUTH_URL`, `KRAKEN_WS_L3_URL`), the environment over Kraken's defaults (level3's
 * default is the authenticated URL as resolved). A bad URL in the environment is
 * a ConfigError naming the variable.
 */
export function resolveKrakenSettings(settings: KrakenSettings, env: Readonly<Record<string, string | undefined>> = process.env): ResolvedKrakenSettings {
  const issues: ConfigIssue[] = [];
  const pick = (chosen: string | undefined, variable: string, fallback: string, check: z.ZodType<string>): string => {
    if (chosen !== undefined) return chosen;
    const fromEnv = env[variable]?.trim();
    if (fromEnv === undefined || fromEnv === '') return fallback;
    const result = check.safeParse(fromEnv);
    if (!result.success) {
      issues.push({ path: variable, received: JSON.stringify(fromEnv), expected: result.error.issues[0]?.message ?? 'a URL' });
      return fallback;
    }
    return fromEnv;
  };
  const wsAuthUrl = pick(settings.wsAuthUrl, 'KRAKEN_WS_AUTH_URL', DEFAULT_KRAKEN_WS_AUTH_URL, url(['ws:', 'wss:'], DEFAULT_KRAKEN_WS_AUTH_URL));
  const resolved: ResolvedKrakenSettings = {
    ...settings,
    restUrl: pick(settings.restUrl, 'KRAKEN_REST_URL', DEFAULT_KRAKEN_REST_URL, url(['http:', 'https:'], DEFAULT_KRAKEN_REST_URL)),
    wsUrl: pick(settings.wsUrl, 'KRAKEN_WS_URL', DEFAULT_KRAKEN_WS_URL, url(['ws:', 'wss:'], DEFAULT_KRAKEN_WS_URL)),
    wsAuthUrl,
    wsLevel3Url: pick(settings.wsLevel3Url, 'KRAKEN_WS_L3_URL', wsAuthUrl, url(['ws:', 'wss:'], DEFAULT_KRAKEN_WS_AUTH_URL)),
  };
  if (issues.length > 0) throw new ConfigError(issues, 'Kraken environment');
  return resolved;
}
