import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret } from '../config/secret.js';
import { createFileLogger } from './file-logger.js';
import { createConsoleLogger, silentLogger } from './logger.js';
import { secretRedactPaths } from './redaction.js';

function logFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'kbot-log-')), 'logs', 'kbot.log');
}

function lines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('createFileLogger', () => {
  it('writes one JSON object per line to the file, and the same line to the console', async () => {
    const file = logFile();
    let console = '';
    const logger = createFileLogger({ level: 'info', file, console: { write: (text) => (console += text) }, bindings: { bot: 'test-bot', mode: 'paper' } });
    logger.info('session started', { strategies: ['mean-reversion'] });
    logger.child({ exchange: 'kraken' }).warn('socket reconnecting', { attempt: 2 });
    logger.debug('below the level');
    await logger.close();
    const written = lines(file);
    expect(written).toHaveLength(2);
    expect(written[0]).toMatchObject({ level: 'info', bot: 'test-bot', mode: 'paper', strategies: ['mean-reversion'], message: 'session started' });
    expect(written[1]).toMatchObject({ level: 'warn', exchange: 'kraken', attempt: 2, message: 'socket reconnecting' });
    expect(Date.parse(written[0]!.time as string)).not.toBeNaN();
    expect(console.trim().split('\n').map((line) => JSON.parse(line).message)).toEqual(['session started', 'socket reconnecting']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps the line\'s own time, level and message when a field has one of those names', async () => {
    const file = logFile();
    const logger = createFileLogger({ level: 'info', file });
    logger.info('bar decided', { time: 1_700_000_000_000, level: 3, message: 'a field' });
    logger.child({ time: 'bound' }).info('child line');
    await logger.close();
    const [line, child] = lines(file);
    expect(Date.parse(line!.time as string)).not.toBeNaN();
    expect(line).toMatchObject({ level: 'info', message: 'bar decided', field_time: 1_700_000_000_000, field_level: 3, field_message: 'a field' });
    expect(Date.parse(child!.time as string)).not.toBeNaN();
    expect(child).toMatchObject({ message: 'child line', field_time: 'bound' });
  });

  it('censors credential-looking fields and known credential values, in the file and on the console', async () => {
    const file = logFile();
    let console = '';
    const apiSecret = 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==';
    const logger = createFileLogger({ level: 'debug', file, console: { write: (text) => (console += text) }, secrets: [new Secret(apiSecret)] });
    logger.info('signing a request', {
      apiKey: 'AKEY-visible-if-broken',
      secret: apiSecret,
      request: { headers: { 'API-Key': 'AKEY-header', 'API-Sign': 'SIGNATURE-xyz' }, nonce: 42 },
      nested: { deeper: { passphrase: 'pass-phrase-value', kept: 'fine' } },
      wrapped: new Secret('wrapped-secret-value'),
    });
    logger.error(`request failed with ${apiSecret} in the text`, { error: `body echoed ${apiSecret}` });
    await logger.close();
    const text = readFileSync(file, 'utf8');
    for (const output of [text, console]) {
      for (const leaked of [apiSecret, 'AKEY-visible-if-broken', 'AKEY-header', 'SIGNATURE-xyz', 'pass-phrase-value', 'wrapped-secret-value']) expect(output).not.toContain(leaked);
    }
    const [first, second] = lines(file);
    expect(first).toMatchObject({ apiKey: '[redacted]', secret: '[redacted]', request: { headers: { 'API-Key': '[redacted]', 'API-Sign': '[redacted]' }, nonce: 42 } });
    expect(first!.nested).toEqual({ deeper: { passphrase: '[redacted]', kept: 'fine' } });
    expect(second).toMatchObject({ message: 'request failed with [redacted] in the text', error: 'body echoed [redacted]' });
  });

  it('rotates past the size limit and keeps only `keep` old files', async () => {
    const file = logFile();
    const logger = createFileLogger({ level: 'info', file, console: false, rotate: { size: '1K', keep: 2 } });
    for (let index = 0; index < 60; index++) logger.info('filler line to grow the file past one kilobyte', { index });
    await logger.close();
    const folder = join(file, '..');
    expect(readdirSync(folder).sort()).toEqual(['kbot.log', 'kbot.log.1', 'kbot.log.2']);
    for (const name of ['kbot.log.1', 'kbot.log.2']) expect(statSync(join(folder, name)).size).toBeLessThan(1024 + 200);
    // Lines are never split across files, and the newest are in kbot.log.
    const all = [...lines(join(folder, 'kbot.log.2')), ...lines(join(folder, 'kbot.log.1')), ...(readFileSync(file, 'utf8').trim() ? lines(file) : [])];
    const indexes = all.map((line) => line.index as number);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(indexes.at(-1)).toBe(59);
    expect(indexes.length).toBeLessThan(60);
  });

  it('console only when no file is given; silent writes nothing and creates no file', async () => {
    let console = '';
    const consoleOnly = createFileLogger({ level: 'warn', console: { write: (text) => (console += text) } });
    consoleOnly.info('hidden');
    consoleOnly.warn('shown');
    await consoleOnly.close();
    expect(console).toContain('"message":"shown"');
    expect(console).not.toContain('hidden');
    const file = logFile();
    const silent = createFileLogger({ level: 'silent', file, console: { write: (text) => (console += `!${text}`) } });
    silent.error('nothing');
    await silent.close();
    expect(existsSync(file)).toBe(false);
    expect(console).not.toContain('!');
  });

  it('lines logged after close reach the console only, without an error', async () => {
    const file = logFile();
    let console = '';
    const logger = createFileLogger({ level: 'info', file, console: { write: (text) => (console += text) } });
    logger.info('before');
    await logger.close();
    logger.info('after');
    await logger.close();
    expect(lines(file).map((line) => line.message)).toEqual(['before']);
    expect(console).toContain('"message":"after"');
  });

  it('leaves the existing loggers as they were', () => {
    expect(typeof createConsoleLogger('info').child({ a: 1 }).info).toBe('function');
    expect(silentLogger.child({})).toBe(silentLogger);
  });
});

describe('secretRedactPaths', () => {
  it('covers each name at the top level and three objects deep, quoting names pino cannot read bare', () => {
    const paths = secretRedactPaths(['apiKey', 'API-Sign']);
    expect(paths).toEqual(['apiKey', '["API-Sign"]', '*.apiKey', '*["API-Sign"]', '*.*.apiKey', '*.*["API-Sign"]', '*.*.*.apiKey', '*.*.*["API-Sign"]']);
  });
});
