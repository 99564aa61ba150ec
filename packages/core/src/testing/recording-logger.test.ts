import { describe, expect, it } from 'vitest';
import { RecordingLogger } from './recording-logger.js';

describe('RecordingLogger', () => {
  it('keeps the lines of itself and its children in one list, in order, with the children\'s bindings', () => {
    const logger = new RecordingLogger();
    const child = logger.child({ component: 'kraken' });
    logger.info('started');
    child.warn('socket reconnecting', { attempt: 2 });
    child.child({ pair: 'BTC/USD' }).error('book dropped');
    logger.debug('tick', { n: 1 });
    expect(logger.lines).toEqual([
      { level: 'info', message: 'started', fields: undefined },
      { level: 'warn', message: 'socket reconnecting', fields: { component: 'kraken', attempt: 2 } },
      { level: 'error', message: 'book dropped', fields: { component: 'kraken', pair: 'BTC/USD' } },
      { level: 'debug', message: 'tick', fields: { n: 1 } },
    ]);
    expect(logger.messages('warn')).toEqual(['socket reconnecting']);
    expect(logger.at('error')).toHaveLength(1);
    // A field of the call wins over a binding of the same name.
    logger.child({ attempt: 1 }).warn('again', { attempt: 3 });
    expect(logger.at('warn')[1]!.fields).toEqual({ attempt: 3 });
  });
});
