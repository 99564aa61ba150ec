import { KbotError } from '../errors/errors.js';

/**
 * Why a key file could not be used. `wrong-passphrase` deliberately does not say whether the
 * passphrase or the file is at fault: AES-GCM cannot tell the two apart, and guessing would
 * mislead the operator.
 */
export type KeyFileErrorCode =
  | 'key-file-wrong-passphrase'
  | 'key-file-invalid'
  | 'key-file-missing'
  | 'key-file-entry-missing'
  | 'key-file-passphrase-missing'
  | 'key-file-passphrase-rejected';

/** A key file that cannot be read, decrypted or written; the message names the file, never a secret. */
export class KeyFileError extends KbotError {
  declare readonly code: KeyFileErrorCode;
  readonly file: string;

  constructor(code: KeyFileErrorCode, file: string, problem: string, options?: { cause?: unknown }) {
    super(code, `${file}: ${problem}`, options);
    this.file = file;
  }
}
