import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { container as rootContainer, inject, injectable } from 'tsyringe';
import { ConfigError } from '../errors/errors.js';
import { validateConfig } from '../config/schema.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { BaseStrategy, type StrategyContext } from '../strategy/strategy.js';
import type { Bar, Subscription } from '../model/market-data.js';
import { instrumentId } from '../model/ids.js';
import { createBot } from './container.js';
import { definePlugin } from './plugin.js';
import { TOKENS } from './tokens.js';

/** A service a plugin provides; strategies receive it by class type (needs decorator metadata). */
class PriceOracle {
  constructor(readonly source: string) {}
}

@injectable()
class InjectedStrategy extends BaseStrategy<{ pair: string }> {
  static readonly paramsSchema = z.object({ pair: z.string().regex(/\//, 'BASE/QUOTE') }).strict();
  constructor(@inject(TOKENS.Logger) readonly log: Logger, @inject(TOKENS.BotName) readonly botName: string, readonly oracle: PriceOracle) {
    super();
  }
  subscriptions(params: { pair: string }): Subscription[] {
    return [{ instrumentId: instrumentId(params.pair), kind: 'bars', interval: 60_000 }];
  }
  onBar(_bar: Bar, _ctx: StrategyContext<{ pair: string }>): void {}
}

const oraclePlugin = definePlugin({
  name: 'oracle',
  register(container) {
    container.register(PriceOracle, { useValue: new PriceOracle('test-feed') });
  },
});

describe('createBot', () => {
  it('resolves strategies from a child container with token and class-typed injections', () => {
    const logger = { ...silentLogger, child: () => logger };
    const config = validateConfig({ name: 'di-bot', plugins: [oraclePlugin], strategies: [InjectedStrategy.with({ pair: 'BTC/USD' })] });
    const bot = createBot(config, { logger });
    const strategy = bot.strategies[0]!.strategy as InjectedStrategy;
    expect(strategy).toBeInstanceOf(InjectedStrategy);
    expect(strategy.log).toBe(logger);
    expect(strategy.botName).toBe('di-bot');
    expect(strategy.oracle.source).toBe('test-feed');
    expect(bot.strategies[0]!.id).toBe('injected-strategy');
    // Bots are isolated: the plugin's binding lives in this bot's child container only.
    expect(bot.container.isRegistered(PriceOracle)).toBe(true);
    expect(rootContainer.isRegistered(PriceOracle)).toBe(false);
  });

  it('two bots get separate containers and separate strategy instances', () => {
    const config = validateConfig({ plugins: [oraclePlugin], strategies: [InjectedStrategy.with({ pair: 'BTC/USD' })] });
    const first = createBot(config);
    const second = createBot(config);
    expect(first.container).not.toBe(second.container);
    expect(first.strategies[0]!.strategy).not.toBe(second.strategies[0]!.strategy);
  });

  it('validates strategy params with the strategy schema and names the path', () => {
    const config = validateConfig({ plugins: [oraclePlugin], strategies: [InjectedStrategy.with({ pair: 'BTCUSD' })] });
    expect(() => createBot(config)).toThrow(ConfigError);
    try {
      createBot(config);
    } catch (error) {
      expect((error as ConfigError).issues).toEqual([{ path: 'strategies[0].params.pair', received: '"BTCUSD"', expected: 'BASE/QUOTE' }]);
    }
  });

  it('resolves registry names and lists the known names for an unknown one', () => {
    const registry = { injected: { strategy: InjectedStrategy, schema: InjectedStrategy.paramsSchema } };
    const good = createBot(validateConfig({ plugins: [oraclePlugin], strategies: [{ use: 'injected', params: { pair: 'ETH/USD' } }] }), { registry });
    expect(good.strategies[0]!.id).toBe('injected');
    expect(() => createBot(validateConfig({ strategies: [{ use: 'nope' }] }), { registry })).toThrow(/strategies\[0\]\.use: received "nope", expected one of "injected"/);
  });

  it('refuses two strategies with the same id', () => {
    const spec = InjectedStrategy.with({ pair: 'BTC/USD' });
    const config = validateConfig({ plugins: [oraclePlugin], strategies: [spec, spec] });
    expect(() => createBot(config)).toThrow(/strategies\[1\]\.id/);
  });

  it('warns (and still builds the bot) when strategies share a pair, which the engine lets only one of them trade at a time', () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message) => void warnings.push(message), child: () => logger };
    const config = validateConfig({
      plugins: [oraclePlugin],
      strategies: [{ ...InjectedStrategy.with({ pair: 'BTC/USD' }), id: 'a' }, { ...InjectedStrategy.with({ pair: 'BTC/USD' }), id: 'b' }, { ...InjectedStrategy.with({ pair: 'BTC/USD' }), id: 'c' }, { ...InjectedStrategy.with({ pair: 'ETH/USD' }), id: 'd' }],
    });
    expect(createBot(config, { logger }).strategies).toHaveLength(4);
    expect(warnings).toEqual([expect.stringMatching(/^strategies: a, b and c all trade BTC\/USD, but a pair belongs to one strategy of a bot at a time: .* denied pair-taken/)]);
  });

  it('a strategy whose dependency nobody registered is a config problem, not a crash later', () => {
    const config = validateConfig({ strategies: [InjectedStrategy.with({ pair: 'BTC/USD' })] });
    expect(() => createBot(config)).toThrow(/strategies\[0\]: received class InjectedStrategy, expected a strategy the container can build/);
  });

  it('turns risk settings into policies', () => {
    const config = validateConfig({ plugins: [oraclePlugin], strategies: [InjectedStrategy.with({ pair: 'BTC/USD' })], risk: { maxPositionQuote: '500', maxOpenOrders: 3 } });
    expect(createBot(config).riskPolicies.map((policy) => policy.name)).toEqual(['max-position', 'max-open-orders']);
  });
});
