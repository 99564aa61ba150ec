import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from './exit-codes.js';
import { loadKbotConfig } from './load-config.js';
import { runCli } from './program.js';

async function kbot(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { cwd, stdout: (text) => (stdout += `${text}\n`), stderr: (text) => (stderr += `${text}\n`) });
  return { code, stdout, stderr };
}

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kbot-load-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const STRATEGIES = `strategies: [{ use: 'ema-rsi', params: { pair: 'BTC/USD', interval: '1h', fastPeriod: 5, slowPeriod: 20 } }]`;

describe('a config that cannot be loaded is one line naming the file, line and column', () => {
  const broken = `export default {\n  name: 'x', strategies: [{ use: 'ema-rsi' params: {} }],\n};\n`;

  it('a TypeScript syntax error (jiti)', async () => {
    const dir = project({ 'kbot.config.ts': broken });
    const result = await kbot(dir, 'config', 'check');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toBe(`config has 1 problem(s):\n  ${join(dir, 'kbot.config.ts')}:2:44: received a syntax error (Unexpected token, expected ","), expected valid TypeScript or JavaScript\n`);
  });

  it('the same line in kbot backtest, with or without --debug', async () => {
    const dir = project({ 'kbot.config.ts': broken });
    for (const argv of [['backtest'], ['backtest', '--debug']]) {
      const result = await kbot(dir, ...argv);
      expect(result.code).toBe(EXIT.usage);
      expect(result.stderr).toContain(`${join(dir, 'kbot.config.ts')}:2:44: received a syntax error (Unexpected token, expected ",")`);
    }
  });

  it('a syntax error in a file the config imports names that file', async () => {
    const dir = project({ 'kbot.config.ts': `import { fast } from './periods.ts';\nexport default { name: String(fast), ${STRATEGIES} };\n`, 'periods.ts': 'export const fast = 1 +;\n' });
    const result = await kbot(dir, 'config', 'check');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain(`${join(dir, 'periods.ts')}:1:24: received a syntax error`);
  });

  it('a JavaScript syntax error (kbot.config.mjs)', async () => {
    const dir = project({ 'kbot.config.mjs': 'export default {\n  strategies: [ };\n' });
    const result = await kbot(dir, 'config', 'check');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(new RegExp(`${join(dir, 'kbot.config.mjs').replace(/[.]/g, '\\.')}:2:17: received a syntax error \\(Unexpected token '\\}'\\), expected valid JavaScript`));
  });

  it('an error while the config runs, such as a name imported from a file that does not export it', async () => {
    const dir = project({
      'kbot.config.ts': `import { Missing } from './strategy.ts';\nexport default { ${STRATEGIES.replace('strategies: [', 'strategies: [Missing.with({}), ')} };\n`,
      'strategy.ts': 'export const Present = 1;\n',
    });
    const result = await kbot(dir, 'config', 'check');
    expect(result.code).toBe(EXIT.usage);
    const line = result.stderr.split('\n')[1]!;
    expect(line).toMatch(new RegExp(`^  ${join(dir, 'kbot.config.ts').replace(/[.]/g, '\\.')}:2: received an error while evaluating it \\(TypeError: Cannot read properties of undefined \\(reading 'with'\\)\\), expected a config that evaluates without error; a value that is undefined is often an import of a name the other file does not export$`));
  });
});

describe('a config without a default export says so', () => {
  for (const name of ['kbot.config.ts', 'kbot.config.mjs']) {
    it(name, async () => {
      const dir = project({ [name]: `export const config = { ${STRATEGIES} };\n` });
      const result = await kbot(dir, 'config', 'check');
      expect(result.code).toBe(EXIT.usage);
      expect(result.stderr).toBe(`config has 1 problem(s):\n  ${join(dir, name)}: received no default export (it exports config), expected export default defineConfig({ ... })\n`);
    });
  }
});

describe('environment overrides', () => {
  it('a bad KBOT_LOG_LEVEL is named as the variable, not as the file', async () => {
    const dir = project({ 'kbot.config.mjs': `export default { ${STRATEGIES}, log: { level: 'debug' } };\n` });
    const error = await loadKbotConfig({ cwd: dir, env: { KBOT_LOG_LEVEL: 'verbose' } }).catch((caught: unknown) => caught as Error);
    expect((error as Error).message).toContain('KBOT_LOG_LEVEL (overrides log.level): received "verbose", expected one of "debug", "info", "warn", "error", "silent"');
    expect((await loadKbotConfig({ cwd: dir, env: {} })).config.log.level).toBe('debug');
  });
});
