import { describe, expect, it } from 'vitest';
import { strategyRegistry } from './registry.js';

/** The least each registered strategy needs besides its interval. */
const required: Record<string, Record<string, unknown>> = {
  'ema-rsi': { pair: 'BTC/USD' },
  'mean-reversion': { pair: 'BTC/USD' },
  momentum: { pair: 'BTC/USD' },
  portfolio: { targets: { 'BTC/USD': 0.5 } },
  'scanner-rotation': { pairs: ['BTC/USD', 'ETH/USD'] },
  scalper: { pair: 'BTC/USD', quantity: '0.01', maxPosition: '0.01' },
};

describe('strategyRegistry', () => {
  it('lists a minimal params set for every strategy this test checks', () => {
    expect(Object.keys(strategyRegistry).sort()).toEqual(Object.keys(required).sort());
  });

  // "0m" matches a plain /^\d+[mhdw]$/ and used to crash later, in parseInterval (even `kbot config check`).
  it.each(Object.keys(required))('%s refuses a zero interval in its params schema, naming the field', (name) => {
    const schema = strategyRegistry[name]!.schema!;
    expect(schema.safeParse({ ...required[name], interval: '15m' }).success).toBe(true);
    const result = schema.safeParse({ ...required[name], interval: '0m' }) as { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } };
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message.startsWith('a positive interval such as')])).toEqual([['interval', true]]);
  });
});
