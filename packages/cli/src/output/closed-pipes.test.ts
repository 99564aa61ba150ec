import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ignoreClosedPipes } from './closed-pipes.js';

describe('ignoreClosedPipes', () => {
  it('drops a closed pipe (EPIPE, and the writes after it) and ends the process on any other stream error', () => {
    const stream = new PassThrough();
    ignoreClosedPipes(stream);
    expect(() => stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).not.toThrow();
    expect(() => stream.emit('error', Object.assign(new Error('Cannot call write after a stream was destroyed'), { code: 'ERR_STREAM_DESTROYED' }))).not.toThrow();
    expect(() => stream.emit('error', Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }))).toThrow('no space left on device');
    expect(() => stream.emit('error', new Error('no code'))).toThrow('no code');
  });

  it('without it, a closed pipe is an unhandled error (what `kbot report --json | head -c 100` printed, with a stack trace)', () => {
    const stream = new PassThrough();
    expect(() => stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toThrow('write EPIPE');
  });
});
