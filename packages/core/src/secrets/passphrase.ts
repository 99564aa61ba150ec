import { Secret } from '../config/secret.js';
import { KeyFileError } from './key-file-error.js';

/** The environment variable a key file's passphrase is read from before anyone is asked. */
export const PASSPHRASE_ENV = 'KBOT_KEYS_PASSPHRASE';
/** Shorter passphrases are refused when a key file is created: scrypt slows guessing, it cannot save a short one. */
export const MIN_PASSPHRASE_LENGTH = 8;

/** Asks one question and resolves with the line typed, which is not echoed. */
export type HiddenPrompt = (question: string) => Promise<string>;

/** The parts of a terminal the prompt needs (process.stdin and process.stderr in the CLI). */
export interface PromptInput {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}
export interface PromptOutput {
  write(text: string): unknown;
}

/**
 * A prompt on a terminal with echo off (raw mode: nothing typed is shown, not even stars, so the
 * length does not leak over a shoulder). Undefined when the input is not a terminal: then nobody
 * can answer, and callers say which environment variable to set instead.
 */
export function createTerminalPrompt(input: PromptInput = process.stdin, output: PromptOutput = process.stderr): HiddenPrompt | undefined {
  if (!input.isTTY || typeof input.setRawMode !== 'function') return undefined;
  return (question) => new Promise<string>((resolve, reject) => {
    output.write(question);
    let typed = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string) => {
      for (const character of chunk.toString()) {
        if (character === '\r' || character === '\n') return finish();
        if (character === '\u0003') return finish(new Error('cancelled (Ctrl-C)'));
        if (character === '\u0004') {
          if (typed === '') return finish(new Error('cancelled (end of input)'));
          return finish();
        }
        if (character === '\u007f' || character === '\b') typed = [...typed].slice(0, -1).join('');
        else if (character >= ' ') typed += character;
      }
    };
    input.setRawMode?.(true);
    input.on('data', onData);
    input.resume();
  });
}

export interface PassphraseOptions {
  /** The key file the passphrase is for (named in questions and errors). */
  readonly file: string;
  /** `create` asks twice and refuses passphrases shorter than MIN_PASSPHRASE_LENGTH. */
  readonly purpose: 'unlock' | 'create';
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Undefined when nobody can be asked (no terminal). */
  readonly prompt?: HiddenPrompt | undefined;
}

/**
 * The passphrase of a key file: `KBOT_KEYS_PASSPHRASE` when set, else asked on the terminal with
 * echo off. Without either, a `key-file-passphrase-missing` error says how to provide one.
 */
export async function obtainPassphrase(options: PassphraseOptions): Promise<Secret> {
  const env = options.env ?? process.env;
  const fromEnv = env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return checked(fromEnv, options, PASSPHRASE_ENV);
  if (!options.prompt) {
    throw new KeyFileError('key-file-passphrase-missing', options.file, `needs a passphrase: set ${PASSPHRASE_ENV}, or run in a terminal to be asked for it`);
  }
  const ask = async (question: string) => {
    try {
      return await options.prompt!(question);
    } catch (error) {
      throw new KeyFileError('key-file-passphrase-missing', options.file, `no passphrase given: ${(error as Error).message}`, { cause: error });
    }
  };
  if (options.purpose === 'unlock') return checked(await ask(`Passphrase for ${options.file}: `), options, 'the passphrase');
  const first = checked(await ask(`New passphrase for ${options.file} (${MIN_PASSPHRASE_LENGTH} characters or more): `), options, 'the passphrase');
  const second = await ask('Repeat the passphrase: ');
  if (second !== first.reveal()) throw new KeyFileError('key-file-passphrase-rejected', options.file, 'the two passphrases differ; nothing was written');
  return first;
}

function checked(value: string, options: PassphraseOptions, source: string): Secret {
  if (value === '') throw new KeyFileError('key-file-passphrase-missing', options.file, `${source} is empty`);
  if (options.purpose === 'create' && [...value].length < MIN_PASSPHRASE_LENGTH) {
    throw new KeyFileError('key-file-passphrase-rejected', options.file, `${source} has ${[...value].length} characters, expected ${MIN_PASSPHRASE_LENGTH} or more for a new key file`);
  }
  return new Secret(value);
}
