import { describe, expect, it } from 'vitest';
import { JsonNumber, parseLosslessJson, toPlainJson } from './lossless-json.js';

describe('parseLosslessJson', () => {
  it('keeps every number as its source text, including ids beyond 2^53 and exponent forms', () => {
    const parsed = parseLosslessJson('{"connection_id":17843232920108168701,"qty":5.1e-05,"price":4.0,"list":[0.10000000,-1]}') as Record<string, unknown>;
    expect(parsed.connection_id).toEqual(new JsonNumber('17843232920108168701'));
    expect((parsed.qty as JsonNumber).text).toBe('5.1e-05');
    expect((parsed.price as JsonNumber).text).toBe('4.0');
    expect((parsed.list as JsonNumber[]).map((item) => item.text)).toEqual(['0.10000000', '-1']);
  });

  it('reads strings (with escapes), literals, nesting and whitespace like JSON.parse', () => {
    const text = ' { "a" : "x\\"y\\u00e9" , "b" : [ true , false , null , { } , [ ] ] } ';
    expect(toPlainJson(parseLosslessJson(text))).toEqual(JSON.parse(text));
  });

  it('turns a "__proto__" key into a plain property', () => {
    const parsed = parseLosslessJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(parsed)).toEqual(['__proto__']);
  });

  it('names the character where the text stops being JSON', () => {
    expect(() => parseLosslessJson('{"a":1,}')).toThrow(/expected a key at character 7/);
    expect(() => parseLosslessJson('[1 2]')).toThrow(/expected ',' or '\]' at character 3/);
    expect(() => parseLosslessJson('{"a":01}')).toThrow(/expected ',' or '}' at character 6/);
    expect(() => parseLosslessJson('"open')).toThrow(/expected a closing quote/);
    expect(() => parseLosslessJson('{} x')).toThrow(/expected the end of the text at character 3/);
    expect(() => parseLosslessJson('')).toThrow(SyntaxError);
  });
});
