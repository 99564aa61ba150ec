import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatConfigIssue } from '../errors/errors.js';
import { configErrorMap, configIssuesFromZod } from './zod-issues.js';

function lines(schema: z.ZodType, input: unknown, options: { errorMap?: boolean; prefix?: string } = {}): string[] {
  const result = schema.safeParse(input, { reportInput: true, ...(options.errorMap ? { error: configErrorMap } : {}) });
  if (result.success) return [];
  return configIssuesFromZod(result.error, options.prefix).map(formatConfigIssue);
}

describe('configIssuesFromZod', () => {
  it('puts the right article before a type', () => {
    expect(lines(z.object({ list: z.array(z.number()), table: z.object({}), count: z.number().int() }), { list: 1, table: 1, count: 'x' })).toEqual([
      'list: received 1, expected an array',
      'table: received 1, expected an object',
      'count: received "x", expected a number',
    ]);
  });

  describe('an unknown key, with the error map', () => {
    const risk = z.strictObject({ maxPositionQuote: z.string().optional(), dailyLossQuote: z.string().optional(), maxOpenOrders: z.number().optional(), maxExposure: z.string().optional(), maxExposures: z.string().optional() });

    it('names the known key it most likely meant: a typo, a word too many, another case', () => {
      expect(lines(risk, { maxPostionQuote: '1' }, { errorMap: true })).toEqual(['maxPostionQuote: received an unknown key, expected no such key (did you mean "maxPositionQuote"?)']);
      expect(lines(risk, { dailyLossLimitQuote: '1' }, { errorMap: true })).toEqual(['dailyLossLimitQuote: received an unknown key, expected no such key (did you mean "dailyLossQuote"?)']);
      expect(lines(risk, { MAXOPENORDERS: 1 }, { errorMap: true })).toEqual(['MAXOPENORDERS: received an unknown key, expected no such key (did you mean "maxOpenOrders"?)']);
    });

    it('guesses nothing when no key is close, or two are equally close', () => {
      expect(lines(risk, { leverage: 2 }, { errorMap: true })).toEqual(['leverage: received an unknown key, expected no such key (check the spelling)']);
      // maxExposur is one edit from maxExposure and two from maxExposures; maxExposurex one from each.
      expect(lines(risk, { maxExposur: '1' }, { errorMap: true })).toEqual(['maxExposur: received an unknown key, expected no such key (did you mean "maxExposure"?)']);
      expect(lines(risk, { maxExposurex: '1' }, { errorMap: true })).toEqual(['maxExposurex: received an unknown key, expected no such key (check the spelling)']);
    });

    it('without the error map, says to check the spelling', () => {
      expect(lines(risk, { maxPostionQuote: '1' })).toEqual(['maxPostionQuote: received an unknown key, expected no such key (check the spelling)']);
    });
  });

  describe('a cross-field check names the value of the field it is about', () => {
    const periods = z.object({ fastPeriod: z.number(), slowPeriod: z.number(), label: z.string() })
      .refine((params) => params.fastPeriod < params.slowPeriod, { message: 'fastPeriod below slowPeriod', path: ['fastPeriod'] });

    it('with the other fields its message names', () => {
      expect(lines(periods, { fastPeriod: 30, slowPeriod: 20, label: 'x' }, { prefix: 'strategies[0].params' })).toEqual([
        'strategies[0].params.fastPeriod: received 30 (slowPeriod 20), expected fastPeriod below slowPeriod',
      ]);
    });

    it('a short list or a table of numbers is shown whole', () => {
      const pairs = z.object({ pairs: z.array(z.string()), targets: z.record(z.string(), z.number()) }).superRefine((params, context) => {
        context.addIssue({ code: 'custom', path: ['pairs'], message: 'pairs of one quote asset' });
        context.addIssue({ code: 'custom', path: ['targets'], message: 'weights that add up to at most 1' });
      });
      expect(lines(pairs, { pairs: ['BTC/USD', 'ETH/EUR'], targets: { 'BTC/USD': 0.7, 'ETH/USD': 0.6 } })).toEqual([
        'pairs: received ["BTC/USD", "ETH/EUR"], expected pairs of one quote asset',
        'targets: received { "BTC/USD": 0.7, "ETH/USD": 0.6 }, expected weights that add up to at most 1',
      ]);
    });

    it('strings inside an object are never printed (they could be keys)', () => {
      const settings = z.object({ credentials: z.record(z.string(), z.string()) })
        .refine(() => false, { message: 'credentials from the environment', path: ['credentials'] });
      expect(lines(settings, { credentials: { key: 'abcd-secret' } })).toEqual(['credentials: received an object, expected credentials from the environment']);
    });

    it('a custom check on a value itself still describes that value', () => {
      const plugin = z.object({ exchange: z.custom((value) => typeof value === 'function', 'an exchange plugin') });
      expect(lines(plugin, { exchange: {} })).toEqual(['exchange: received an object, expected an exchange plugin']);
    });
  });

  describe('unions', () => {
    const fees = z.object({
      fees: z.union([z.literal('kraken'), z.literal('instrument'), z.object({ maker: z.number(), taker: z.number() }).strict()]),
    });

    it('list their forms when the value fits none', () => {
      expect(lines(fees, { fees: 'zero' }, { errorMap: true })).toEqual(['fees: received "zero", expected "kraken", "instrument" or { maker, taker }']);
      expect(lines(fees, { fees: ['kraken'] }, { errorMap: true })).toEqual(['fees: received an array of 1, expected "kraken", "instrument" or { maker, taker }']);
    });

    it('without the error map, still list what each form wanted', () => {
      expect(lines(fees, { fees: 'zero' })).toEqual(['fees: received "zero", expected "kraken", "instrument" or an object']);
    });

    it('report the problems inside the one form an object was meant as', () => {
      expect(lines(fees, { fees: { maker: 0.001 } }, { errorMap: true })).toEqual(['fees.taker: received nothing, expected a number']);
      expect(lines(fees, { fees: { maker: 0.001, taker: 0.002, rebate: 0 } }, { errorMap: true })).toEqual(['fees.rebate: received an unknown key, expected no such key (check the spelling)']);
    });

    it('pick the object form by its keys among several object forms', () => {
      const entry = z.union([
        z.string().describe('a file path'),
        z.object({ file: z.string(), format: z.enum(['kraken-ohlcvt', 'binance-csv']).optional() }).strict(),
        z.object({ generated: z.object({ instrument: z.string() }).strict() }).strict(),
      ]);
      const data = z.object({ data: z.array(entry) });
      expect(lines(data, { data: ['a.csv', { file: 'b.csv', format: 'kraken-ohlcv' }, { generated: {} }, {}] }, { errorMap: true })).toEqual([
        'data[1].format: received "kraken-ohlcv", expected one of "kraken-ohlcvt", "binance-csv"',
        'data[2].generated.instrument: received nothing, expected a string',
        'data[3]: received an object, expected a file path, { file, format? } or { generated }',
      ]);
    });
  });
});
