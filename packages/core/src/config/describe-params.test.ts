import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { describeParams } from './describe-params.js';

describe('describeParams', () => {
  it('lists each parameter with its type, whether it is required, its default and its bounds', () => {
    const amount = z.union([z.string(), z.number()]).transform(String);
    const schema = z.object({
      pair: z.string(),
      period: z.number().int().min(2).max(1000).default(20),
      bands: z.enum(['bollinger', 'z-score']).default('bollinger'),
      // A field whose input and output differ (a transform inside): its default is kept too.
      reserves: z.record(z.string(), amount).default({}),
    });
    expect(describeParams(schema)).toEqual([
      { name: 'pair', type: 'string', required: true, default: undefined, constraints: '' },
      { name: 'period', type: 'integer', required: false, default: 20, constraints: '≥ 2, ≤ 1000' },
      { name: 'bands', type: 'string', required: false, default: 'bollinger', constraints: 'one of "bollinger", "z-score"' },
      { name: 'reserves', type: 'object', required: false, default: {}, constraints: '' },
    ]);
    expect(describeParams('not a schema')).toEqual([]);
  });
});
