import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../errors/errors.js';
import { LineReader, readLines } from './line-reader.js';

const directory = mkdtempSync(join(tmpdir(), 'kbot-line-reader-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let count = 0;
function fileWith(content: string | Buffer): string {
  const file = join(directory, `file-${count++}.txt`);
  writeFileSync(file, content);
  return file;
}

function allLines(file: string, chunkSize?: number): [number, string][] {
  return [...readLines(file, chunkSize === undefined ? {} : { chunkSize })].map((line) => [line.lineNumber, line.text]);
}

describe('LineReader', () => {
  it('numbers lines from 1 and strips \\n and \\r\\n, whatever the chunk size', () => {
    const file = fileWith('alpha\r\nbeta\n\ngamma\r\ndelta');
    const expected: [number, string][] = [[1, 'alpha'], [2, 'beta'], [3, ''], [4, 'gamma'], [5, 'delta']];
    expect(allLines(file)).toEqual(expected);
    expect(allLines(file, 16)).toEqual(expected);
  });

  it('keeps multi-byte UTF-8 characters whole when a chunk boundary cuts through them', () => {
    // 15 ASCII bytes then "é" (2 bytes) and "€" (3 bytes): the 16-byte chunk ends inside "é".
    const text = 'x'.repeat(15) + 'é€\n' + '€'.repeat(20) + '\n';
    expect(allLines(fileWith(text), 16)).toEqual([[1, 'x'.repeat(15) + 'é€'], [2, '€'.repeat(20)]]);
  });

  it('drops a UTF-8 byte order mark at the start of the file', () => {
    const file = fileWith(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('time,open\n1,2\n')]));
    expect(allLines(file)).toEqual([[1, 'time,open'], [2, '1,2']]);
  });

  it('yields nothing for an empty file, and one line for a file without a final newline', () => {
    expect(allLines(fileWith(''))).toEqual([]);
    expect(allLines(fileWith('only'))).toEqual([[1, 'only']]);
  });

  it('reads a long file in small chunks exactly as in one chunk', () => {
    const lines = Array.from({ length: 5000 }, (_, index) => `${index},${'v'.repeat(index % 37)}`);
    const file = fileWith(lines.join('\n') + '\n');
    const small = allLines(file, 64);
    expect(small).toHaveLength(5000);
    expect(small).toEqual(allLines(file));
    expect(small[4999]).toEqual([5000, lines[4999]]);
  });

  it('refuses a line longer than maxLineLength instead of growing without bound', () => {
    const reader = new LineReader(fileWith('short\n' + 'y'.repeat(1000) + '\n'), { chunkSize: 64, maxLineLength: 100 });
    expect(reader.next()).toBe('short');
    expect(() => reader.next()).toThrow(DataError);
  });

  it('reports a missing file as a DataError naming it', () => {
    const missing = join(directory, 'missing.csv');
    expect(() => new LineReader(missing)).toThrow(`${missing}: cannot open the file (ENOENT)`);
  });

  it('returns undefined after the end, and after close', () => {
    const reader = new LineReader(fileWith('a\nb\n'));
    expect([reader.next(), reader.next(), reader.next(), reader.next()]).toEqual(['a', 'b', undefined, undefined]);
    const closed = new LineReader(fileWith('a\nb\n'));
    closed.close();
    expect(closed.next()).toBeUndefined();
  });
});
