import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../exit-codes.js';
import { kbot } from '../operator-test-harness.js';

describe('kbot sim --data with flags', () => {
  it('refuses a --interval that contradicts the file name, naming the flag, before it starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbot-sim-flags-'));
    writeFileSync(join(dir, 'XBTUSD_60.csv'), '1672531200,16500,16510,16490,16505,1.5,10\n1672534800,16505,16520,16500,16515,2,12\n');
    const result = await kbot(dir, 'sim', '--data', 'XBTUSD_60.csv', '--interval', '15m', '--port', '0');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/--interval: received "15m", expected 1h, the interval the name of .*XBTUSD_60\.csv says/);
  });
});
