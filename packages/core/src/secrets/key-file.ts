import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { Secret } from '../config/secret.js';
import { writeFileAtomic } from './atomic-write.js';
import { KeyFileError } from './key-file-error.js';

/*
 * A key file is a small JSON document: a header in the clear (format, version, KDF and cipher
 * parameters) and the named credentials encrypted with AES-256-GCM under a key derived from the
 * passphrase by scrypt. The header is bound to the ciphertext as GCM additional data, so changing
 * any parameter (to weaken the KDF, say) fails authentication like a wrong passphrase does.
 */

export const KEY_FILE_FORMAT = 'kbot-keys' as const;
export const KEY_FILE_VERSION = 1 as const;

/** scrypt cost: N (CPU/memory, a power of two), r (block size), p (parallelism). */
export interface ScryptParameters {
  readonly n: number;
  readonly r: number;
  readonly p: number;
}

/** 2^17 with r = 8 costs 128 MiB and about half a second: OWASP's recommendation for scrypt. */
export const DEFAULT_SCRYPT: ScryptParameters = Object.freeze({ n: 2 ** 17, r: 8, p: 1 });

/*
 * What a file may ask for: at least 2^14 (so a tampered header cannot make brute force cheap; it
 * would fail authentication anyway) and at most 2^20 / r 16 / p 4 (so a foreign file cannot make
 * kbot allocate gigabytes or spin for minutes).
 */
const MIN_N = 2 ** 14;
const MAX_N = 2 ** 20;
const MAX_R = 16;
const MAX_P = 4;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** Far above any real key list; a bigger file is not a key file. */
const MAX_FILE_BYTES = 1024 * 1024;

/** One set of credentials (e.g. `kraken`: key and secret), each value a Secret. */
export type KeyEntry = Readonly<Record<string, Secret>>;
/** Every credential set in a key file, by name. */
export type KeyEntries = Readonly<Record<string, KeyEntry>>;

/** Names of credential sets: lower case, digits, `-` and `_` (they become environment variable names). */
export const KEY_ENTRY_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Names of fields inside a set: `key`, `secret`, `passphrase`, ... */
export const KEY_FIELD_NAME = /^[a-z][a-zA-Z0-9]{0,63}$/;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

interface KeyFileDocument {
  readonly format: typeof KEY_FILE_FORMAT;
  readonly version: typeof KEY_FILE_VERSION;
  readonly kdf: { readonly name: 'scrypt'; readonly n: number; readonly r: number; readonly p: number; readonly salt: string };
  readonly cipher: { readonly name: 'aes-256-gcm'; readonly iv: string; readonly tag: string };
  readonly data: string;
}

function deriveKey(passphrase: Secret, salt: Buffer, parameters: ScryptParameters): Promise<Buffer> {
  const options: ScryptOptions = { N: parameters.n, r: parameters.r, p: parameters.p, maxmem: 256 * parameters.n * parameters.r };
  // NFC, so the same passphrase typed on two systems gives the same key.
  const secret = Buffer.from(passphrase.reveal().normalize('NFC'), 'utf8');
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_BYTES, options, (error, key) => {
      secret.fill(0);
      if (error) reject(error);
      else resolve(key);
    });
  });
}

function additionalData(document: Omit<KeyFileDocument, 'data' | 'cipher'> & { cipher: { name: string; iv: string } }): Buffer {
  const { kdf, cipher } = document;
  return Buffer.from(JSON.stringify([document.format, document.version, kdf.name, kdf.n, kdf.r, kdf.p, kdf.salt, cipher.name, cipher.iv]), 'utf8');
}

/** Checks names and values before anything is encrypted, so a bad entry never reaches the disk. */
export function checkKeyEntries(entries: KeyEntries, file: string): void {
  for (const [name, entry] of Object.entries(entries)) {
    if (!KEY_ENTRY_NAME.test(name)) {
      throw new KeyFileError('key-file-invalid', file, `entry name ${JSON.stringify(name)} is not allowed: expected lower-case letters, digits, "-" or "_" (such as "kraken")`);
    }
    for (const [field, value] of Object.entries(entry)) {
      if (!KEY_FIELD_NAME.test(field)) {
        throw new KeyFileError('key-file-invalid', file, `field name ${JSON.stringify(`${name}.${field}`)} is not allowed: expected letters and digits starting with a lower-case letter (such as "secret")`);
      }
      if (!(value instanceof Secret) || value.reveal() === '') {
        throw new KeyFileError('key-file-invalid', file, `${name}.${field}: received an empty value, expected the credential`);
      }
    }
  }
}

/** Encrypts credentials into the text of a key file (a fresh salt and IV every time). */
export async function encryptKeyFile(entries: KeyEntries, passphrase: Secret, options: { scrypt?: ScryptParameters; file?: string } = {}): Promise<string> {
  const file = options.file ?? '(key file)';
  checkKeyEntries(entries, file);
  const parameters = options.scrypt ?? DEFAULT_SCRYPT;
  checkScrypt(parameters, file);
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const key = await deriveKey(passphrase, salt, parameters);
  const header = {
    format: KEY_FILE_FORMAT,
    version: KEY_FILE_VERSION,
    kdf: { name: 'scrypt' as const, n: parameters.n, r: parameters.r, p: parameters.p, salt: salt.toString('base64') },
    cipher: { name: 'aes-256-gcm' as const, iv: iv.toString('base64') },
  };
  const plain = Buffer.from(JSON.stringify({ entries: Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, Object.fromEntries(Object.entries(entry).map(([field, value]) => [field, value.reveal()]))])) }), 'utf8');
  try {
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(header));
    const data = Buffer.concat([cipher.update(plain), cipher.final()]);
    const document: KeyFileDocument = { ...header, cipher: { ...header.cipher, tag: cipher.getAuthTag().toString('base64') }, data: data.toString('base64') };
    return `${JSON.stringify(document, null, 2)}\n`;
  } finally {
    plain.fill(0);
    key.fill(0);
  }
}

/**
 * Decrypts the text of a key file. A file that is not a kbot key file, or is damaged, is a
 * `key-file-invalid` error naming the file and the problem; a failed authentication is
 * `key-file-wrong-passphrase` ("wrong passphrase or the file was changed").
 */
export async function decryptKeyFile(text: string, passphrase: Secret, file: string): Promise<KeyEntries> {
  const document = parseDocument(text, file);
  const salt = Buffer.from(document.kdf.salt, 'base64');
  const key = await deriveKey(passphrase, salt, document.kdf);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(document.cipher.iv, 'base64'), { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(document));
    decipher.setAuthTag(Buffer.from(document.cipher.tag, 'base64'));
    plain = Buffer.concat([decipher.update(Buffer.from(document.data, 'base64')), decipher.final()]);
  } catch (error) {
    throw new KeyFileError('key-file-wrong-passphrase', file, 'wrong passphrase or the file was changed', { cause: error });
  } finally {
    key.fill(0);
  }
  try {
    return parseEntries(plain.toString('utf8'), file);
  } finally {
    plain.fill(0);
  }
}

/** Reads and decrypts a key file. */
export async function readKeyFile(file: string, passphrase: Secret): Promise<KeyEntries> {
  return decryptKeyFile(await readKeyFileText(file), passphrase, file);
}

/** The file's text, after the checks that need no passphrase (exists, is a file, is small). */
export async function readKeyFileText(file: string): Promise<string> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new KeyFileError('key-file-invalid', file, 'not a file: expected a key file written by "kbot keys set"');
    size = info.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new KeyFileError('key-file-missing', file, 'no key file here: create one with "kbot keys set"');
    throw error;
  }
  if (size > MAX_FILE_BYTES) throw new KeyFileError('key-file-invalid', file, `${size} bytes is too large for a kbot key file (at most ${MAX_FILE_BYTES})`);
  return readFile(file, 'utf8');
}

/** Encrypts and writes a key file atomically, readable and writable by its owner only (mode 0600). */
export async function writeKeyFile(file: string, entries: KeyEntries, passphrase: Secret, options: { scrypt?: ScryptParameters } = {}): Promise<void> {
  const text = await encryptKeyFile(entries, passphrase, { ...options, file });
  await writeFileAtomic(file, text, { mode: 0o600, directoryMode: 0o700 });
}

function checkScrypt(parameters: ScryptParameters, file: string): void {
  const { n, r, p } = parameters;
  const powerOfTwo = Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;
  if (!powerOfTwo || n < MIN_N || n > MAX_N) throw new KeyFileError('key-file-invalid', file, `scrypt N ${JSON.stringify(n)} is not allowed: expected a power of two from ${MIN_N} to ${MAX_N}`);
  if (!Number.isInteger(r) || r < 1 || r > MAX_R) throw new KeyFileError('key-file-invalid', file, `scrypt r ${JSON.stringify(r)} is not allowed: expected a whole number from 1 to ${MAX_R}`);
  if (!Number.isInteger(p) || p < 1 || p > MAX_P) throw new KeyFileError('key-file-invalid', file, `scrypt p ${JSON.stringify(p)} is not allowed: expected a whole number from 1 to ${MAX_P}`);
}

function parseDocument(text: string, file: string): KeyFileDocument {
  const notOurs = (problem: string) => new KeyFileError('key-file-invalid', file, `not a readable kbot key file (${problem}); expected a file written by "kbot keys set"`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw notOurs('it is not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw notOurs('it is not a JSON object');
  const document = raw as Record<string, unknown>;
  if (document.format !== KEY_FILE_FORMAT) throw notOurs(`"format" is ${JSON.stringify(document.format) ?? 'missing'}, expected "${KEY_FILE_FORMAT}"`);
  if (typeof document.version === 'number' && document.version > KEY_FILE_VERSION) {
    throw new KeyFileError('key-file-invalid', file, `written by a newer kbot (key file version ${document.version}; this kbot reads version ${KEY_FILE_VERSION}): upgrade kbot`);
  }
  if (document.version !== KEY_FILE_VERSION) throw notOurs(`"version" is ${JSON.stringify(document.version) ?? 'missing'}, expected ${KEY_FILE_VERSION}`);
  const kdf = document.kdf as Record<string, unknown> | undefined;
  const cipher = document.cipher as Record<string, unknown> | undefined;
  if (typeof kdf !== 'object' || kdf === null || kdf.name !== 'scrypt') throw notOurs('"kdf.name" is not "scrypt"');
  if (typeof cipher !== 'object' || cipher === null || cipher.name !== 'aes-256-gcm') throw notOurs('"cipher.name" is not "aes-256-gcm"');
  checkScrypt({ n: kdf.n as number, r: kdf.r as number, p: kdf.p as number }, file);
  const bytes = (value: unknown, path: string, length?: number) => {
    if (typeof value !== 'string' || !BASE64.test(value) || value.length % 4 !== 0) throw notOurs(`"${path}" is not base64`);
    const decoded = Buffer.from(value, 'base64');
    if (length !== undefined && decoded.length !== length) throw notOurs(`"${path}" is ${decoded.length} bytes, expected ${length}`);
    if (length === undefined && decoded.length === 0) throw notOurs(`"${path}" is empty`);
  };
  bytes(kdf.salt, 'kdf.salt', SALT_BYTES);
  bytes(cipher.iv, 'cipher.iv', IV_BYTES);
  bytes(cipher.tag, 'cipher.tag', TAG_BYTES);
  bytes(document.data, 'data');
  return document as unknown as KeyFileDocument;
}

function parseEntries(text: string, file: string): KeyEntries {
  const broken = new KeyFileError('key-file-invalid', file, 'decrypted, but the content is not a list of credentials; rewrite it with "kbot keys set"');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw broken;
  }
  const entries = (raw as { entries?: unknown } | null)?.entries;
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) throw broken;
  const result: Record<string, KeyEntry> = {};
  for (const [name, entry] of Object.entries(entries)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw broken;
    const fields: Record<string, Secret> = {};
    for (const [field, value] of Object.entries(entry)) {
      if (typeof value !== 'string') throw broken;
      fields[field] = new Secret(value);
    }
    result[name] = Object.freeze(fields);
  }
  return Object.freeze(result);
}
