import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/errors.js';
import { validateConfig } from '../config/schema.js';
import { applyEnvOverrides } from '../config/env-overrides.js';

const STRATEGIES = [{ use: 'anything' }];

function problems(log: unknown): string[] {
  try {
    validateConfig({ strategies: STRATEGIES, log });
  } catch (error) {
    return (error as ConfigError).issues.map((issue) => `${issue.path}: received ${issue.received}, expected ${issue.expected}`);
  }
  return [];
}

describe('config log section', () => {
  it('defaults to info, logs/kbot.log under storage.dir, rotated at 10 MB and daily, 10 kept', () => {
    expect(validateConfig({ strategies: STRATEGIES }).log).toEqual({ level: 'info', file: 'logs/kbot.log', rotate: { size: '10M', interval: '1d', keep: 10 } });
    expect(validateConfig({ strategies: STRATEGIES, log: { rotate: { keep: 3 } } }).log.rotate).toEqual({ size: '10M', interval: '1d', keep: 3 });
  });

  it('accepts no file, no size limit and no interval', () => {
    expect(validateConfig({ strategies: STRATEGIES, log: { file: false, rotate: { size: false, interval: false } } }).log).toMatchObject({ file: false, rotate: { size: false, interval: false } });
  });

  it('names each bad field, what it got and what it expects', () => {
    expect(problems({ rotate: { size: '10MB' } })).toEqual(['log.rotate.size: received "10MB", expected a size such as "10M", "500K" or "1G"']);
    expect(problems({ rotate: { interval: '7h' } })[0]).toMatch(/^log\.rotate\.interval: received "7h", expected an interval such as "1d", "12h" or "30m"/);
    expect(problems({ rotate: { keep: 0 } })[0]).toMatch(/^log\.rotate\.keep: received 0/);
    expect(problems({ file: '' })[0]).toMatch(/^log\.file: received ""/);
    expect(problems({ rotate: { count: 3 } })[0]).toMatch(/^log\.rotate/);
  });

  it('KBOT_LOG_LEVEL still overrides only the level', () => {
    const config = validateConfig(applyEnvOverrides({ strategies: STRATEGIES, log: { file: 'bot.log' } }, { KBOT_LOG_LEVEL: 'debug' }));
    expect(config.log).toMatchObject({ level: 'debug', file: 'bot.log' });
  });
});
