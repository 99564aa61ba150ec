import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from './exit-codes.js';
import { kbot } from './operator-test-harness.js';

/**
 * Every config in examples/ passes `kbot config check` with nothing to report: a renamed
 * parameter, a moved data file or a pair without order rules shows here before a user runs it.
 */
const ROOT = resolve(import.meta.dirname, '../../..');
const EXAMPLES = join(ROOT, 'examples');
/** The examples name real data by paths relative to themselves: `shared/` beside the repository. */
const SHARED_DATA = join(ROOT, '..', 'shared', 'data');

function exampleConfigs(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'trading_data' || entry.name === 'reports') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/^kbot\..*config\.ts$/.test(entry.name)) found.push(path);
    }
  };
  walk(EXAMPLES);
  return found.sort();
}

const configs = exampleConfigs();

describe('the example configs', () => {
  it('are found (every example folder has at least one)', () => {
    const folders = readdirSync(EXAMPLES, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect(folders.length).toBeGreaterThanOrEqual(6);
    for (const folder of folders) expect(configs.some((file) => file.startsWith(join(EXAMPLES, folder) + '/')), folder).toBe(true);
  });

  // Skipped without the shared data folder beside the repository: most examples backtest on it.
  describe.skipIf(!existsSync(SHARED_DATA))('pass kbot config check with no problem and no warning', () => {
    it.each(configs.map((file) => [relative(ROOT, file), file]))('%s', async (_name, file) => {
      const result = await kbot(join(file, '..'), 'config', 'check', '--config', file, '--json');
      const outcome = JSON.parse(result.stdout) as { ok: boolean; problems: string[]; warnings: string[] };
      expect({ problems: outcome.problems, warnings: outcome.warnings }).toEqual({ problems: [], warnings: [] });
      expect(outcome.ok).toBe(true);
      expect(result.code).toBe(EXIT.ok);
    });
  });
});
