import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NonceService, nonceFileName } from './nonce.js';
import { StoreError } from '@kbot/core';

const API_KEY = 'key-that-must-never-appear-on-disk';
const directories: string[] = [];

function freshDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'kbot-nonce-'));
  directories.push(directory);
  return directory;
}

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

describe('NonceService', () => {
  it('is the wall clock in microseconds when nothing larger was issued', () => {
    const service = new NonceService({ apiKey: API_KEY, now: () => 1_700_000_000_123 });
    expect(service.next()).toBe(1_700_000_000_123_000);
  });

  it('stays strictly increasing in a tight loop, even with a frozen clock', () => {
    const service = new NonceService({ apiKey: API_KEY, directory: freshDirectory(), now: () => 1_000 });
    let previous = 0;
    for (let i = 0; i < 500; i += 1) {
      const nonce = service.next();
      expect(nonce).toBeGreaterThan(previous);
      previous = nonce;
    }
    expect(previous).toBe(1_000_000 + 499);
  });

  it('stays strictly increasing in a tight loop with the real clock', () => {
    const service = new NonceService({ apiKey: API_KEY, directory: freshDirectory() });
    const issued = Array.from({ length: 500 }, () => service.next());
    for (let i = 1; i < issued.length; i += 1) expect(issued[i]!).toBeGreaterThan(issued[i - 1]!);
  });

  it('survives a restart: a new instance continues above the stored mark even if the clock went back', () => {
    const directory = freshDirectory();
    const first = new NonceService({ apiKey: API_KEY, directory, now: () => 2_000 });
    first.next();
    const lastBeforeRestart = first.next();
    const second = new NonceService({ apiKey: API_KEY, directory, now: () => 1_000 });
    expect(second.next()).toBe(lastBeforeRestart + 1);
  });

  it('never hands out the same nonce from two instances sharing a directory', () => {
    const directory = freshDirectory();
    const a = new NonceService({ apiKey: API_KEY, directory, now: () => 5_000 });
    const b = new NonceService({ apiKey: API_KEY, directory, now: () => 5_000 });
    const issued: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      issued.push(a.next());
      issued.push(b.next());
      if (i % 3 === 0) issued.push(b.next());
    }
    expect(new Set(issued).size).toBe(issued.length);
    for (let i = 1; i < issued.length; i += 1) expect(issued[i]!).toBeGreaterThan(issued[i - 1]!);
  });

  it('keeps keys apart and never writes the key itself', () => {
    const directory = freshDirectory();
    const a = new NonceService({ apiKey: API_KEY, directory, now: () => 5_000 });
    const b = new NonceService({ apiKey: 'another-key', directory, now: () => 5_000 });
    a.next();
    a.next();
    expect(b.next()).toBe(5_000_000);
    const names = readdirSync(directory);
    expect(names.sort()).toEqual([nonceFileName('another-key'), nonceFileName(API_KEY)].sort());
    for (const name of names) {
      expect(name).not.toContain(API_KEY);
      expect(readFileSync(join(directory, name), 'utf8')).not.toContain(API_KEY);
    }
  });

  it('jumps ahead with bumpPast, persistently', () => {
    const directory = freshDirectory();
    const service = new NonceService({ apiKey: API_KEY, directory, now: () => 1_000 });
    service.bumpPast(8_000_000_000_000_000);
    expect(service.next()).toBe(8_000_000_000_000_001);
    expect(new NonceService({ apiKey: API_KEY, directory, now: () => 1_000 }).next()).toBe(8_000_000_000_000_002);
    service.bumpPast(10); // smaller than the mark: no effect
    expect(service.next()).toBe(8_000_000_000_000_003);
  });

  it('refuses a bump beyond the safe-integer range with a clear message', () => {
    const service = new NonceService({ apiKey: API_KEY });
    expect(() => service.bumpPast(1_700_000_000_000_000_000)).toThrow(/expected a non-negative integer up to 9007199254740991/);
  });

  it('explains an invalid-nonce rejection without revealing the key', () => {
    const error = new NonceService({ apiKey: API_KEY }).rejected(42);
    expect(error.kind).toBe('invalid-nonce');
    expect(error.retryable).toBe(false);
    expect(error.venueMessage).toBe('EAPI:Invalid nonce');
    expect(error.message).toMatch(/rejected nonce 42 .* as too low/);
    expect(error.message).toContain('own API key');
    expect(error.message).not.toContain(API_KEY);
  });

  it('reports a corrupted mark file by name and content', () => {
    const directory = freshDirectory();
    writeFileSync(join(directory, nonceFileName(API_KEY)), 'garbage');
    expect(() => new NonceService({ apiKey: API_KEY, directory }).next()).toThrow(/kraken-nonce-[0-9a-f]+:1: received "garbage", expected the last nonce/);
  });

  describe('lock file', () => {
    it('leaves no lock behind after a call', () => {
      const directory = freshDirectory();
      new NonceService({ apiKey: API_KEY, directory }).next();
      expect(existsSync(join(directory, `${nonceFileName(API_KEY)}.lock`))).toBe(false);
    });

    it('takes over a lock whose process has exited', () => {
      const directory = freshDirectory();
      const lock = join(directory, `${nonceFileName(API_KEY)}.lock`);
      writeFileSync(lock, JSON.stringify({ pid: deadPid(), token: 'dead', at: Date.now() }));
      const service = new NonceService({ apiKey: API_KEY, directory, now: () => 3_000, lockTimeoutMs: 2_000 });
      expect(service.next()).toBe(3_000_000);
      expect(existsSync(lock)).toBe(false);
    });

    it('takes over a lock older than staleLockMs even when its process is alive', () => {
      const directory = freshDirectory();
      const lock = join(directory, `${nonceFileName(API_KEY)}.lock`);
      writeFileSync(lock, JSON.stringify({ pid: process.pid, token: 'old', at: Date.now() - 60_000 }));
      const service = new NonceService({ apiKey: API_KEY, directory, now: () => 3_000, staleLockMs: 10_000 });
      expect(service.next()).toBe(3_000_000);
    });

    it('waits for a live, fresh lock and then gives up with a clear error', () => {
      const directory = freshDirectory();
      const lock = join(directory, `${nonceFileName(API_KEY)}.lock`);
      writeFileSync(lock, JSON.stringify({ pid: process.pid, token: 'busy', at: Date.now() }));
      const service = new NonceService({ apiKey: API_KEY, directory, lockTimeoutMs: 50 });
      const started = Date.now();
      expect(() => service.next()).toThrow(/still held by another process after 50 ms/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
      // The live lock was not stolen.
      expect(JSON.parse(readFileSync(lock, 'utf8')).token).toBe('busy');
    });
  });
});

describe('NonceService in a folder it cannot use', () => {
  it('says which folder and what it needs, as a store-unavailable error, instead of a raw system error', () => {
    const base = mkdtempSync(join(tmpdir(), 'kbot-nonce-bad-'));
    writeFileSync(join(base, 'a-file'), 'x');
    let error: unknown;
    try {
      new NonceService({ apiKey: API_KEY, directory: join(base, 'a-file', 'nonces') });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('store-unavailable');
    expect((error as Error).message).toMatch(/a-file\/nonces: cannot keep the Kraken nonce file there \(ENOTDIR.*\); expected a folder this user can write to/);
  });
});
