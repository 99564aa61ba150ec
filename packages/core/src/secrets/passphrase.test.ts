import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createTerminalPrompt, obtainPassphrase, type HiddenPrompt } from './passphrase.js';

/** A stand-in terminal: records raw mode and what was written, and lets the test type. */
class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  raw = false;
  written = '';
  setRawMode(mode: boolean) {
    this.raw = mode;
  }
  resume() {}
  pause() {}
  write(text: string) {
    this.written += text;
  }
  type(text: string) {
    this.emit('data', Buffer.from(text));
  }
}

function answers(...lines: string[]): HiddenPrompt & { questions: string[] } {
  const questions: string[] = [];
  const prompt = async (question: string) => {
    questions.push(question);
    const next = lines.shift();
    if (next === undefined) throw new Error('no more answers');
    return next;
  };
  return Object.assign(prompt, { questions });
}

describe('terminal prompt', () => {
  it('reads a line with echo off: nothing typed reaches the output, and raw mode is restored', async () => {
    const terminal = new FakeTerminal();
    const prompt = createTerminalPrompt(terminal, terminal)!;
    const answer = prompt('Passphrase: ');
    expect(terminal.raw).toBe(true);
    terminal.type('hunter2');
    terminal.type('x\u007f'); // a typo, erased
    terminal.type('!\r');
    expect(await answer).toBe('hunter2!');
    expect(terminal.written).toBe('Passphrase: \n');
    expect(terminal.raw).toBe(false);
    expect(terminal.listenerCount('data')).toBe(0);
  });

  it('Ctrl-C cancels instead of answering', async () => {
    const terminal = new FakeTerminal();
    const answer = createTerminalPrompt(terminal, terminal)!('Passphrase: ');
    terminal.type('abc\u0003');
    await expect(answer).rejects.toThrow('cancelled (Ctrl-C)');
    expect(terminal.raw).toBe(false);
  });

  it('is not offered when the input is not a terminal', () => {
    const pipe = Object.assign(new EventEmitter(), { isTTY: false, resume() {}, pause() {} });
    expect(createTerminalPrompt(pipe, { write() {} })).toBeUndefined();
  });
});

describe('obtainPassphrase', () => {
  it('takes KBOT_KEYS_PASSPHRASE without asking', async () => {
    const prompt = answers();
    const passphrase = await obtainPassphrase({ file: 'k.enc', purpose: 'unlock', env: { KBOT_KEYS_PASSPHRASE: 'from the env' }, prompt });
    expect(passphrase.reveal()).toBe('from the env');
    expect(prompt.questions).toEqual([]);
  });

  it('without the variable and without a terminal, says how to provide one', async () => {
    await expect(obtainPassphrase({ file: '/x/keys.enc', purpose: 'unlock', env: {} })).rejects.toThrow(
      '/x/keys.enc: needs a passphrase: set KBOT_KEYS_PASSPHRASE, or run in a terminal to be asked for it',
    );
  });

  it('asks once to unlock, and twice (matching) to create', async () => {
    const unlock = answers('pass phrase');
    expect((await obtainPassphrase({ file: 'k.enc', purpose: 'unlock', env: {}, prompt: unlock })).reveal()).toBe('pass phrase');
    expect(unlock.questions).toEqual(['Passphrase for k.enc: ']);
    const create = answers('long enough phrase', 'long enough phrase');
    expect((await obtainPassphrase({ file: 'k.enc', purpose: 'create', env: {}, prompt: create })).reveal()).toBe('long enough phrase');
    expect(create.questions).toHaveLength(2);
  });

  it('refuses a new passphrase that differs on repeat or is too short', async () => {
    await expect(obtainPassphrase({ file: 'k.enc', purpose: 'create', env: {}, prompt: answers('long enough phrase', 'long enough phrasE') })).rejects.toThrow(
      'k.enc: the two passphrases differ; nothing was written',
    );
    await expect(obtainPassphrase({ file: 'k.enc', purpose: 'create', env: { KBOT_KEYS_PASSPHRASE: 'short' } })).rejects.toThrow(
      'k.enc: KBOT_KEYS_PASSPHRASE has 5 characters, expected 8 or more for a new key file',
    );
  });

  it('a cancelled prompt is a passphrase-missing error', async () => {
    await expect(obtainPassphrase({ file: 'k.enc', purpose: 'unlock', env: {}, prompt: answers() })).rejects.toMatchObject({ code: 'key-file-passphrase-missing' });
  });
});
