import { describe, expect, it } from 'vitest';
import { DataError } from '../errors/errors.js';
import { SeededRandom } from './seeded-random.js';
import { CsvFields, strictNumber } from './csv-fields.js';

const parse = (text: string) => strictNumber(Buffer.from(text, 'latin1'), 0, text.length);

describe('strictNumber', () => {
  it.each([
    ['16528.7', 16528.7],
    ['10.30276815', 10.30276815],
    ['0.00265967', 0.00265967],
    ['1E+1', 10],
    ['5E+1', 50],
    ['1.916e-05', 1.916e-5],
    ['13837479979.969763', 13837479979.969763],
    ['-12.5', -12.5],
    ['+5', 5],
    ['.5', 0.5],
    ['5.', 5],
    ['1672531200', 1672531200],
    ['12345678901234567890', 12345678901234567890],
    ['1e999', Infinity],
  ])('reads %s as %d', (text, value) => {
    expect(parse(text)).toBe(value);
  });

  it('keeps the sign of -0, as Number() does', () => {
    expect(Object.is(parse('-0'), -0)).toBe(true);
  });

  it.each(['', ' 5', '5 ', '-', '.', '+', '12abc', '0x10', '0X10', '0b1', '0o7', '-0x10', 'Infinity', '-Infinity', 'NaN', '1_000', '1e', '1.2.3', '--1', 'e5'])(
    'rejects %j',
    (text) => {
      expect(parse(text)).toBeNaN();
    },
  );

  it('gives exactly what Number() gives for 200,000 random decimals of up to 17 digits, alone and inside a line', () => {
    const random = new SeededRandom(2024);
    const mismatches: string[] = [];
    const sequential = new CsvFields('random.csv');
    for (let index = 0; index < 200_000; index++) {
      const digits = 1 + (random.nextUint32() % 17);
      let text = '';
      for (let digit = 0; digit < digits; digit++) text += String(random.nextUint32() % 10);
      const point = random.nextUint32() % (digits + 1);
      if (point < digits) text = `${text.slice(0, point)}.${text.slice(point)}`;
      if (random.nextUint32() % 4 === 0) text = `-${text}`;
      if (!Object.is(parse(text), Number(text))) mismatches.push(text);
      // The same text as the middle field of a line, read in order by CsvFields.nextNumber.
      const bytes = Buffer.from(`1,${text},2`, 'latin1');
      sequential.begin(bytes, 0, bytes.length, 1, 3);
      sequential.nextNumber();
      if (!Object.is(sequential.nextNumber(), Number(text))) mismatches.push(`line: ${text}`);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('CsvFields', () => {
  const line = (text: string) => Buffer.from(text, 'utf8');

  it('splits a line into fields, empty ones included', () => {
    const fields = new CsvFields('f.csv');
    const bytes = line('a,,b,12.5,');
    expect(fields.split(bytes, 0, bytes.length, 3)).toBe(5);
    expect([0, 1, 2, 3, 4].map((index) => fields.text(index))).toEqual(['a', '', 'b', '12.5', '']);
    expect(fields.number(3)).toBe(12.5);
  });

  it('reads fields in order and names the column count when a line has too many or too few', () => {
    const fields = new CsvFields('f.csv');
    fields.names = ['time', 'price', 'volume'];
    const more = line('1,2,3,4');
    fields.begin(more, 0, more.length, 7, 3);
    expect([fields.nextNumber(), fields.nextNumber(), fields.nextNumber()]).toEqual([1, 2, 3]);
    expect(() => fields.finish()).toThrow('f.csv:7: received 4 columns, expected 3 (time,price,volume)');
    const fewer = line('1,2');
    fields.begin(fewer, 0, fewer.length, 8, 3);
    fields.nextNumber();
    fields.nextNumber();
    expect(() => fields.nextNumber()).toThrow('f.csv:8: received 2 columns, expected 3 (time,price,volume)');
  });

  it('names the column, the value and the expectation in its DataError', () => {
    const fields = new CsvFields('f.csv');
    fields.names = ['time', 'price'];
    const bytes = line('1,1.5e3x');
    fields.begin(bytes, 0, bytes.length, 2, 2);
    fields.nextNumber();
    let error: unknown;
    try {
      fields.nextNumber();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toBe('f.csv:2: column 2 (price): received "1.5e3x", expected a number');
  });
});
