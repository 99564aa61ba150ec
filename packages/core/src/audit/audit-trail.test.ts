import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { krakenSpotInstruments } from '../backtest/instruments.js';
import { TestClock } from '../clock/clock.js';
import { Secret } from '../config/secret.js';
import { Engine } from '../engine/engine.js';
import type { ExecutionClient, ExecutionReportSink } from '../exchange/exchange.js';
import { StaticInstrumentProvider } from '../exchange/static-instrument-provider.js';
import { instrumentId, venueOrderId, type ClientOrderId } from '../model/ids.js';
import type { Bar } from '../model/market-data.js';
import type { OrderIntent } from '../model/order.js';
import { InMemoryStore } from '../persistence/store.js';
import { deny, ALLOW, type RiskPolicy } from '../risk/risk-policy.js';
import type { Strategy, StrategyContext } from '../strategy/strategy.js';
import { order } from '../testing/order-builders.js';
import type { Logger } from '../log/logger.js';
import { attachAuditTrail, AuditTrail, auditFilePath, operatorActor } from './audit-trail.js';

const BTC = instrumentId('BTC/USD');
const HOUR = 3_600_000;

/** A venue that accepts what it is sent and lets the test answer cancels. */
class QuietVenue implements ExecutionClient {
  sink!: ExecutionReportSink;
  async connect(sink: ExecutionReportSink) { this.sink = sink; }
  submit() {}
  cancel() {}
  async reconcile() { return { orders: [], fills: [], balances: [] }; }
  async fetchBalances() { return []; }
  async close() {}
}

/** Submits its intents on the first bar. */
class Submitter implements Strategy<{ intents: OrderIntent[] }> {
  ids: ClientOrderId[] = [];
  subscriptions() { return [{ instrumentId: BTC, kind: 'bars' as const, interval: HOUR }]; }
  onBar(_bar: Bar, ctx: StrategyContext<{ intents: OrderIntent[] }>) {
    if (this.ids.length === 0) this.ids = ctx.params.intents.map((intent) => ctx.orders.submit(intent));
  }
}

function read(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('audit trail of order commands', () => {
  it('records each submit, denial and cancel a strategy causes, as strategy:<id>, one JSON line each', async () => {
    const file = auditFilePath(mkdtempSync(join(tmpdir(), 'kbot-audit-')));
    const trail = new AuditTrail(file);
    const cap: RiskPolicy = { name: 'cap', check: (order) => (order.quantity.greaterThan(1) ? deny('max-position', 'too big') : ALLOW) };
    const venue = new QuietVenue();
    const strategy = new Submitter();
    const engine = new Engine({
      mode: 'backtest', clock: new TestClock(), instruments: new StaticInstrumentProvider(krakenSpotInstruments()), execution: venue, store: new InMemoryStore(),
      strategies: [{ id: 'mean-reversion', strategy, params: { intents: [
        { instrumentId: 'BTC/USD', side: 'buy', type: 'limit', price: '99.5', quantity: '0.5', tag: 'entry' },
        { instrumentId: 'BTC/USD', side: 'sell', type: 'market', quantity: '3' },
      ] } }],
      quoteAsset: 'USD', startBalances: { USD: '10000', BTC: '5' }, riskPolicies: [cap], orderIdPrefix: 'T-',
    });
    const detach = attachAuditTrail(engine.bus, trail);
    await engine.start();
    engine.onBar({ instrumentId: BTC, interval: HOUR, openTime: 0, open: 100, high: 101, low: 99, close: 100, volume: 10 });
    const [limit] = strategy.ids;
    venue.sink.onAccepted({ clientOrderId: limit!, venueOrderId: venueOrderId('OABC-1'), time: 2 * HOUR });
    engine.cancel(limit!);
    venue.sink.onCanceled({ clientOrderId: limit!, time: 2 * HOUR + 5 });
    detach();
    engine.cancel(strategy.ids[1]!); // after detaching: not recorded (and a denied order cannot be canceled anyway)
    trail.close();

    const entries = read(file);
    expect(entries.map((entry) => `${entry.action}:${entry.outcome}`)).toEqual(['order-submit:submitted', 'order-submit:denied', 'order-cancel:requested', 'order-cancel:canceled']);
    expect(entries[0]).toMatchObject({
      time: new Date(HOUR).toISOString(), actor: 'strategy:mean-reversion', strategyId: 'mean-reversion', clientOrderId: limit,
      pair: 'BTC/USD', side: 'buy', type: 'limit', quantity: '0.5', price: '99.5', tag: 'entry', event: 'order-submitted',
    });
    expect(entries[1]).toMatchObject({ actor: 'strategy:mean-reversion', side: 'sell', type: 'market', quantity: '3', code: 'max-position', policy: 'cap', reason: 'too big' });
    expect(entries[2]).toMatchObject({ clientOrderId: limit, venueOrderId: 'OABC-1' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('audit trail of operator actions', () => {
  it('appends one line per command with the operating-system user, and never a credential', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kbot-audit-')), 'audit.log');
    const first = new AuditTrail(file, { now: () => Date.UTC(2024, 0, 2, 3, 4, 5) });
    first.recordOperatorAction({ command: 'keys set', args: { name: 'kraken', fromEnv: true, secret: 'should-not-appear', nested: { apiKey: 'nor-this' } }, outcome: 'ok' });
    first.close();
    // A second process appends; nothing before is rewritten.
    const second = new AuditTrail(file, { now: () => Date.UTC(2024, 0, 2, 3, 5, 0) });
    second.recordOperatorAction({ command: 'panic', args: { wrapped: new Secret('wrapped-value') }, outcome: 'failed', detail: 'exchange unreachable' });
    second.close();

    const text = readFileSync(file, 'utf8');
    for (const leaked of ['should-not-appear', 'nor-this', 'wrapped-value']) expect(text).not.toContain(leaked);
    const entries = read(file);
    expect(entries).toEqual([
      { time: '2024-01-02T03:04:05.000Z', actor: operatorActor(), action: 'operator-command', command: 'keys set', args: { name: 'kraken', fromEnv: true, secret: '[redacted]', nested: { apiKey: '[redacted]' } }, outcome: 'ok' },
      { time: '2024-01-02T03:05:00.000Z', actor: operatorActor(), action: 'operator-command', command: 'panic', args: { wrapped: '[redacted]' }, outcome: 'failed', detail: 'exchange unreachable' },
    ]);
    expect(operatorActor()).toMatch(/^operator:\S+$/);
  });

  it('an unwritable trail fails the operator command loudly', () => {
    const folder = mkdtempSync(join(tmpdir(), 'kbot-audit-'));
    // A file where the trail's folder should be: nothing can be written below it.
    new AuditTrail(join(folder, 'blocker')).recordOperatorAction({ command: 'keys list', outcome: 'ok' });
    const trail = new AuditTrail(join(folder, 'blocker', 'audit.log'));
    expect(() => trail.recordOperatorAction({ command: 'keys list', outcome: 'ok' })).toThrow(/ENOTDIR|EEXIST/);
  });

  it('an unwritable trail never throws into the engine: order entries report the failure to the logger', () => {
    const folder = mkdtempSync(join(tmpdir(), 'kbot-audit-'));
    new AuditTrail(join(folder, 'blocker')).recordOperatorAction({ command: 'keys list', outcome: 'ok' });
    const errors: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn() {}, error: (message, fields) => errors.push(`${message} ${String(fields?.clientOrderId)}`), child: () => logger };
    const trail = new AuditTrail(join(folder, 'blocker', 'audit.log'), { logger });
    const placed = order({ clientOrderId: 'C-1', strategyId: 'scalper', status: 'submitted' });
    const entry = trail.recordOrderEvent({ type: 'order-submitted', time: 0, sequence: 1, clientOrderId: placed.clientOrderId, strategyId: placed.strategyId, instrumentId: placed.instrumentId, order: placed, command: placed });
    expect(entry).toMatchObject({ actor: 'strategy:scalper', action: 'order-submit' });
    expect(errors).toEqual(['audit trail write failed C-1']);
  });
});
