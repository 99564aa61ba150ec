import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret } from '../config/secret.js';
import { decryptKeyFile, encryptKeyFile, readKeyFile, writeKeyFile, type KeyEntries, type ScryptParameters } from './key-file.js';
import { KeyFileError } from './key-file-error.js';

// The smallest cost a file may declare: the format is the same, and each test takes ~60 ms, not ~500.
const FAST: ScryptParameters = { n: 2 ** 14, r: 8, p: 1 };
const PASSPHRASE = new Secret('correct horse battery staple');
const KEY = 'kraken-api-key-0123456789abcdef';
const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==';
const ENTRIES: KeyEntries = { kraken: { key: new Secret(KEY), secret: new Secret(SECRET) } };

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'kbot-keys-'));
}

async function rejection(promise: Promise<unknown>): Promise<KeyFileError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(KeyFileError);
    return error as KeyFileError;
  }
  throw new Error('expected a KeyFileError');
}

describe('key file encryption', () => {
  it('round-trips named credentials, and the file holds none of them in the clear', async () => {
    const text = await encryptKeyFile(ENTRIES, PASSPHRASE, { scrypt: FAST });
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(Buffer.from(KEY).toString('base64'));
    const document = JSON.parse(text);
    expect(document).toMatchObject({ format: 'kbot-keys', version: 1, kdf: { name: 'scrypt', n: 16384, r: 8, p: 1 }, cipher: { name: 'aes-256-gcm' } });
    expect(Buffer.from(document.cipher.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(document.cipher.tag, 'base64')).toHaveLength(16);
    const back = await decryptKeyFile(text, PASSPHRASE, 'keys.enc');
    expect(Object.keys(back)).toEqual(['kraken']);
    expect(back.kraken!.key!.reveal()).toBe(KEY);
    expect(back.kraken!.secret!.reveal()).toBe(SECRET);
    // Decrypted values are Secrets: printing them shows nothing.
    expect(JSON.stringify(back)).not.toContain(KEY);
  });

  it('uses a fresh salt and IV for every encryption of the same content', async () => {
    const one = JSON.parse(await encryptKeyFile(ENTRIES, PASSPHRASE, { scrypt: FAST }));
    const two = JSON.parse(await encryptKeyFile(ENTRIES, PASSPHRASE, { scrypt: FAST }));
    expect(one.kdf.salt).not.toBe(two.kdf.salt);
    expect(one.cipher.iv).not.toBe(two.cipher.iv);
    expect(one.data).not.toBe(two.data);
  });

  it('defaults to scrypt N = 2^17, r = 8, p = 1', async () => {
    const document = JSON.parse(await encryptKeyFile(ENTRIES, PASSPHRASE));
    expect(document.kdf).toMatchObject({ n: 131072, r: 8, p: 1 });
  });

  it('a wrong passphrase is one clear error, naming the file and never the passphrase', async () => {
    const text = await encryptKeyFile(ENTRIES, PASSPHRASE, { scrypt: FAST });
    const error = await rejection(decryptKeyFile(text, new Secret('not the passphrase'), '/data/keys.enc'));
    expect(error.code).toBe('key-file-wrong-passphrase');
    expect(error.message).toBe('/data/keys.enc: wrong passphrase or the file was changed');
  });

  it('detects a changed ciphertext, tag, IV or KDF parameter as the same error', async () => {
    const text = await encryptKeyFile(ENTRIES, PASSPHRASE, { scrypt: FAST });
    const flip = (value: string) => {
      const bytes = Buffer.from(value, 'base64');
      bytes[0] = bytes[0]! ^ 1;
      return bytes.toString('base64');
    };
    const tampered = [
      (doc: any) => ({ ...doc, data: flip(doc.data) }),
      (doc: any) => ({ ...doc, cipher: { ...doc.cipher, tag: flip(doc.cipher.tag) } }),
      (doc: any) => ({ ...doc, cipher: { ...doc.cipher, iv: flip(doc.cipher.iv) } }),
      (doc: any) => ({ ...doc, kdf: { ...doc.kdf, salt: flip(doc.kdf.salt) } }),
      // Weakening the KDF is caught too: the header is authenticated.
      (doc: any) => ({ ...doc, kdf: { ...doc.kdf, r: 4 } }),
    ];
    for (const change of tampered) {
      const error = await rejection(decryptKeyFile(JSON.stringify(change(JSON.parse(text))), PASSPHRASE, 'keys.enc'));
      expect(error.code).toBe('key-file-wrong-passphrase');
    }
  });

  it('a file that is not a kbot key file gets an error naming the file and what is wrong', async () => {
    const cases: [string, RegExp][] = [
      ['hello', /^x\.enc: not a readable kbot key file \(it is not JSON\)/],
      ['[1,2]', /it is not a JSON object/],
      ['{"format":"something-else","version":1}', /"format" is "something-else", expected "kbot-keys"/],
      ['{"format":"kbot-keys"}', /"version" is missing, expected 1/],
      ['{"format":"kbot-keys","version":1,"kdf":{"name":"pbkdf2"}}', /"kdf.name" is not "scrypt"/],
    ];
    for (const [text, message] of cases) {
      const error = await rejection(decryptKeyFile(text, PASSPHRASE, 'x.enc'));
      expect(error.code).toBe('key-file-invalid');
      expect(error.message).toMatch(message);
    }
  });

  it('refuses files from a newer kbot, and KDF costs outside the safe range, before deriving anything', async () => {
    const document = JSON.parse(await encryptKeyFile(ENTRIES, PASSPHRASE, { scrypt: FAST }));
    const newer = await rejection(decryptKeyFile(JSON.stringify({ ...document, version: 2 }), PASSPHRASE, 'k.enc'));
    expect(newer.message).toMatch(/written by a newer kbot \(key file version 2; this kbot reads version 1\)/);
    const huge = await rejection(decryptKeyFile(JSON.stringify({ ...document, kdf: { ...document.kdf, n: 2 ** 24 } }), PASSPHRASE, 'k.enc'));
    expect(huge.message).toMatch(/scrypt N 16777216 is not allowed: expected a power of two from 16384 to 1048576/);
    const cheap = await rejection(decryptKeyFile(JSON.stringify({ ...document, kdf: { ...document.kdf, n: 1024 } }), PASSPHRASE, 'k.enc'));
    expect(cheap.code).toBe('key-file-invalid');
    const shortIv = await rejection(decryptKeyFile(JSON.stringify({ ...document, cipher: { ...document.cipher, iv: 'AAAA' } }), PASSPHRASE, 'k.enc'));
    expect(shortIv.message).toMatch(/"cipher.iv" is 3 bytes, expected 12/);
  });

  it('refuses bad entry names and empty values before writing', async () => {
    await expect(encryptKeyFile({ 'Kraken Main': { key: new Secret('x') } }, PASSPHRASE, { scrypt: FAST })).rejects.toThrow(/entry name "Kraken Main" is not allowed/);
    await expect(encryptKeyFile({ kraken: { key: new Secret('') } }, PASSPHRASE, { scrypt: FAST })).rejects.toThrow(/kraken.key: received an empty value/);
  });
});

describe('key file on disk', () => {
  it('is written with mode 0600 in a new folder, leaving no temporary file behind', async () => {
    const dir = folder();
    const file = join(dir, 'nested', 'keys.enc');
    await writeKeyFile(file, ENTRIES, PASSPHRASE, { scrypt: FAST });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['keys.enc']);
    expect((await readKeyFile(file, PASSPHRASE)).kraken!.key!.reveal()).toBe(KEY);
  });

  it('replaces an existing file whole, and a loose file mode with 0600', async () => {
    const file = join(folder(), 'keys.enc');
    writeFileSync(file, 'old content', { mode: 0o644 });
    await writeKeyFile(file, { kraken: { key: new Secret('k2'), secret: new Secret('s2') } }, PASSPHRASE, { scrypt: FAST });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await readKeyFile(file, PASSPHRASE)).kraken!.key!.reveal()).toBe('k2');
  });

  it('a missing file says how to create one', async () => {
    const file = join(folder(), 'keys.enc');
    const error = await rejection(readKeyFile(file, PASSPHRASE));
    expect(error.code).toBe('key-file-missing');
    expect(error.message).toBe(`${file}: no key file here: create one with "kbot keys set"`);
    expect(existsSync(file)).toBe(false);
  });

  it('a folder or a huge file in its place is not a key file', async () => {
    const dir = folder();
    expect((await rejection(readKeyFile(dir, PASSPHRASE))).message).toMatch(/not a file/);
    const big = join(dir, 'big.enc');
    writeFileSync(big, Buffer.alloc(2 * 1024 * 1024, 32));
    expect((await rejection(readKeyFile(big, PASSPHRASE))).message).toMatch(/too large for a kbot key file/);
  });

  it('a file changed on disk after writing fails as "wrong passphrase or the file was changed"', async () => {
    const file = join(folder(), 'keys.enc');
    await writeKeyFile(file, ENTRIES, PASSPHRASE, { scrypt: FAST });
    const document = JSON.parse(readFileSync(file, 'utf8'));
    const data = Buffer.from(document.data, 'base64');
    data[data.length - 1] = data[data.length - 1]! ^ 0x80;
    writeFileSync(file, JSON.stringify({ ...document, data: data.toString('base64') }));
    const error = await rejection(readKeyFile(file, PASSPHRASE));
    expect(error.message).toBe(`${file}: wrong passphrase or the file was changed`);
  });
});
