import { inspect } from 'node:util';
import { ConfigError, TOKENS, container, isKbotPlugin, silentLogger, type Exchange } from '@kbot/core';
import { afterEach, describe, expect, it } from 'vitest';
import { KrakenExecutionClient } from './execution-client.js';
import { createKrakenExchange, kraken, type KrakenExchange } from './plugin.js';
import { parseKrakenSettings, resolveKrakenSettings } from './settings.js';

const API_KEY = 'kbot-test-key-9f8e7d6c5b4a';
const API_SECRET = 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==';
const ENV = { KRAKEN_API_KEY: API_KEY, KRAKEN_API_SECRET: API_SECRET };

const opened: KrakenExchange[] = [];
afterEach(async () => {
  while (opened.length > 0) await opened.pop()!.close();
});

function exchange(...args: Parameters<typeof createKrakenExchange>): KrakenExchange {
  const created = createKrakenExchange(...args);
  opened.push(created);
  return created;
}

function everyRendering(value: unknown): string {
  return [JSON.stringify(value) ?? '', inspect(value, { depth: Infinity, showHidden: true, getters: true }), String(value)].join('\n');
}

describe('kraken settings', () => {
  it("fills in Kraken's defaults", () => {
    expect(parseKrakenSettings({})).toEqual({ tier: 'starter', keyEnv: { key: 'KRAKEN_API_KEY', secret: 'KRAKEN_API_SECRET' } });
    expect(parseKrakenSettings({ deadMansSwitch: {} }).deadMansSwitch).toEqual({ timeoutSeconds: 60, refreshSeconds: 20 });
  });

  it('names every bad field with what it received and what was expected', () => {
    let error: unknown;
    try {
      parseKrakenSettings({ tier: 'gold', restUrl: 'ftp://example.com', deadMansSwitch: { timeoutSeconds: 30, refreshSeconds: 45 }, colour: 'blue' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.map((issue) => `${issue.path}: ${issue.received}`);
    expect(issues).toEqual(expect.arrayContaining(['kraken.tier: "gold"', 'kraken.restUrl: "ftp://example.com"', 'kraken.colour: an unknown key', 'kraken.deadMansSwitch.refreshSeconds: 45']));
  });

  it('refuses keys in the settings without repeating them', () => {
    let error: unknown;
    try {
      parseKrakenSettings({ apiKey: API_KEY, apiSecret: API_SECRET } as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.path)).toEqual(['kraken.apiKey', 'kraken.apiSecret']);
    expect(everyRendering(error)).not.toContain(API_KEY);
    expect(everyRendering(error)).not.toContain(API_SECRET);
    expect((error as Error).message).toContain('KRAKEN_API_KEY');
  });

  it('refuses a secret that is not base64 text when it is built, naming the variable and never the value', () => {
    const env = { KRAKEN_API_KEY: 'key-123', KRAKEN_API_SECRET: 'not base64 at all!' };
    let error: unknown;
    try {
      createKrakenExchange({}, { env });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('KRAKEN_API_SECRET: received a value of 18 characters that is not base64 text, expected the API secret exactly as Kraken shows it');
    expect((error as Error).message).not.toContain('not base64 at all!');
    expect(() => exchange({}, { env: { KRAKEN_API_KEY: 'key-123', KRAKEN_API_SECRET: Buffer.from('a secret of 64 bytes'.repeat(3)).toString('base64') } })).not.toThrow();
  });

  it('takes URLs from the settings first, then the environment, then Kraken', () => {
    const env = { KRAKEN_REST_URL: 'http://127.0.0.1:9/', KRAKEN_WS_URL: 'ws://127.0.0.1:9/v2', KRAKEN_WS_AUTH_URL: 'ws://127.0.0.1:9/auth/v2' };
    expect(resolveKrakenSettings(parseKrakenSettings({}), {})).toMatchObject({ restUrl: 'https://api.kraken.com', wsUrl: 'wss://ws.kraken.com/v2', wsAuthUrl: 'wss://ws-auth.kraken.com/v2' });
    expect(resolveKrakenSettings(parseKrakenSettings({}), env)).toMatchObject({ restUrl: env.KRAKEN_REST_URL, wsUrl: env.KRAKEN_WS_URL, wsAuthUrl: env.KRAKEN_WS_AUTH_URL });
    expect(resolveKrakenSettings(parseKrakenSettings({ wsUrl: 'wss://example.test/v2' }), env)).toMatchObject({ restUrl: env.KRAKEN_REST_URL, wsUrl: 'wss://example.test/v2' });
    expect(() => resolveKrakenSettings(parseKrakenSettings({}), { KRAKEN_WS_URL: 'https://not-a-socket' })).toThrow(/KRAKEN_WS_URL: received "https:\/\/not-a-socket"/);
  });
});

describe('createKrakenExchange', () => {
  it('uses the URLs it resolved for both sockets', () => {
    const created = exchange({}, { env: { ...ENV, KRAKEN_WS_URL: 'ws://127.0.0.1:9/v2', KRAKEN_WS_AUTH_URL: 'ws://127.0.0.1:9/auth/v2' } });
    expect(created.data.url).toBe('ws://127.0.0.1:9/v2');
    expect((created.execution as KrakenExecutionClient).url).toBe('ws://127.0.0.1:9/auth/v2');
  });

  it('creates the Kraken execution client and the dead man\'s switch only when keys are in the environment', () => {
    const keyed = exchange({ deadMansSwitch: { timeoutSeconds: 60, refreshSeconds: 20 } }, { env: ENV });
    expect(keyed.hasCredentials).toBe(true);
    expect(keyed.execution).toBeInstanceOf(KrakenExecutionClient);
    expect(keyed.deadMansSwitch?.timeoutSeconds).toBe(60);
    const keyless = exchange({ deadMansSwitch: {} }, { env: {} });
    expect(keyless.hasCredentials).toBe(false);
    expect(keyless.deadMansSwitch).toBeUndefined();
  });

  it('without keys, market data works but trading fails naming the variables to set', async () => {
    const keyless = exchange({}, { env: {}, mode: 'paper' });
    await expect(keyless.execution.connect({} as never)).rejects.toThrow(/KRAKEN_API_KEY \/ KRAKEN_API_SECRET: received not set/);
    expect(() => keyless.execution.submit({} as never)).toThrow(ConfigError);
  });

  it('refuses live mode without keys, and a key without its secret', () => {
    expect(() => createKrakenExchange({}, { env: {}, mode: 'live' })).toThrow(/live mode trades on your account/);
    expect(() => createKrakenExchange({}, { env: { KRAKEN_API_KEY: API_KEY } })).toThrow(/KRAKEN_API_SECRET: received not set/);
    expect(() => createKrakenExchange({ keyEnv: { key: 'MY_KEY', secret: 'MY_SECRET' } }, { env: { MY_KEY: API_KEY, MY_SECRET: API_SECRET }, mode: 'live' })).not.toThrow();
  });

  it('never shows the key or secret: JSON, inspect and String of the exchange, its parts, the plugin and the settings', () => {
    const created = exchange({ deadMansSwitch: {} }, { env: ENV, logger: silentLogger });
    const plugin = kraken({ tier: 'pro', deadMansSwitch: {} });
    for (const value of [created, created.execution, created.data, created.instruments, created.deadMansSwitch, plugin, parseKrakenSettings({ tier: 'pro' })]) {
      const text = everyRendering(value);
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(API_SECRET);
    }
  });
});

describe('the kraken() plugin', () => {
  it('is a kbot plugin that checks its settings when the config loads', () => {
    expect(isKbotPlugin(kraken())).toBe(true);
    expect(kraken().name).toBe('kraken');
    expect(() => kraken({ tier: 'platinum' as never })).toThrow(/kraken\.tier: received "platinum"/);
  });

  it('binds TOKENS.Exchange to one Kraken exchange per bot container, and stop() closes it', async () => {
    const plugin = kraken({ deadMansSwitch: {} });
    const bot = container.createChildContainer();
    plugin.register(bot, { mode: 'live', logger: silentLogger, env: ENV });
    const first = bot.resolve(TOKENS.Exchange) as KrakenExchange;
    expect(first.id).toBe('kraken');
    expect(first.hasCredentials).toBe(true);
    expect(first.deadMansSwitch).toBeDefined();
    expect(bot.resolve(TOKENS.Exchange)).toBe(first);
    const other = container.createChildContainer();
    plugin.register(other, { mode: 'paper', logger: silentLogger, env: {} });
    const second: Exchange = other.resolve(TOKENS.Exchange);
    expect(second).not.toBe(first);
    await plugin.stop!(bot);
    await plugin.stop!(other);
    expect(first.deadMansSwitch!.state).toBe('stopped');
  });

  it('fails to resolve in live mode when the keys are missing', () => {
    const bot = container.createChildContainer();
    kraken().register(bot, { mode: 'live', logger: silentLogger, env: {} });
    expect(() => bot.resolve(TOKENS.Exchange)).toThrow(/KRAKEN_API_KEY/);
  });
});
