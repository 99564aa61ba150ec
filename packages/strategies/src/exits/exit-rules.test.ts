import { configIssuesFromZod } from '@kbot/core';
import { btcUsd } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { ExitManager } from './exit-manager.js';
import { exitRulesSchema } from './exit-rules.js';

const KINDS = 'one of "stop-loss", "trailing-stop", "break-even", "take-profit-ladder", "time-stop"';

describe('exit rules as data', () => {
  it('a wrong or missing kind names the kind received and the kinds there are', () => {
    expect(() => new ExitManager({ instrument: btcUsd(), rules: [{ kind: 'stoploss', percent: 2 }] as never })).toThrow(`exits[0].kind: received "stoploss", expected ${KINDS}`);
    const result = exitRulesSchema.safeParse([{ kind: 'stop-loss', percent: 2 }, { percent: 2 }], { reportInput: true });
    expect(configIssuesFromZod(result.error!, 'exits')).toEqual([{ path: 'exits[1].kind', received: 'nothing', expected: KINDS }]);
  });

  it('a known kind is checked by its own schema, field by field', () => {
    const result = exitRulesSchema.safeParse([{ kind: 'time-stop', bars: 0 }, 'stop'], { reportInput: true });
    expect(configIssuesFromZod(result.error!, 'exits')).toEqual([
      { path: 'exits[0].bars', received: '0', expected: '≥ 1' },
      { path: 'exits[1]', received: '"stop"', expected: 'an object' },
    ]);
    expect(exitRulesSchema.parse([{ kind: 'stop-loss', percent: 2 }])).toEqual([{ kind: 'stop-loss', percent: 2, atrPeriod: 14 }]);
  });
});
