import { ConfigError, DataError, InvariantError, StoreError } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import { EXIT, UsageError, exitCodeFor } from './exit-codes.js';

describe('exitCodeFor', () => {
  it('maps each kind of error to the exit code docs/cli.md lists for it', () => {
    expect(exitCodeFor(new UsageError('x'))).toBe(EXIT.usage);
    expect(exitCodeFor(new ConfigError([{ path: 'name', received: '1', expected: 'a string' }]))).toBe(EXIT.usage);
    expect(exitCodeFor(new DataError('bars.csv', 3, 'bad row'))).toBe(EXIT.data);
    for (const code of ['store-corrupt', 'store-foreign', 'store-too-new', 'store-write-failed', 'store-migration-failed'] as const) {
      expect(exitCodeFor(new StoreError(code, '/tmp/kbot.sqlite', 'problem'))).toBe(7);
    }
    expect(EXIT.store).toBe(7);
    expect(exitCodeFor(new InvariantError('bug'))).toBe(EXIT.failure);
    expect(exitCodeFor(new Error('bug'))).toBe(EXIT.failure);
  });
});
