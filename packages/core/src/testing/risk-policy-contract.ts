import { expect } from 'vitest';
import { Decimal } from '../model/decimal.js';
import type { DenialCode, JournaledEvent } from '../model/events.js';
import type { OrderType, SubmitOrder } from '../model/order.js';
import type { RiskPolicy, RiskVerdict, RiskView } from '../risk/risk-policy.js';
import { registerContract, type ContractCheck } from './contract-check.js';
import { submitOrder } from './order-builders.js';
import { riskView } from './risk-view-builder.js';

const KEBAB_CASE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** One order the policy must judge a known way. */
export interface RiskPolicyCase {
  readonly name: string;
  readonly order: SubmitOrder;
  readonly view: RiskView;
  /** `{ allowed: true }`, or `{ allowed: false, code }` with the denial code the policy must give. */
  readonly expected: { readonly allowed: true } | { readonly allowed: false; readonly code: DenialCode };
  /** Journaled events the policy observes (in order) before the check, for stateful policies. */
  readonly observe?: readonly JournaledEvent[];
}

function checkWith(createPolicy: () => RiskPolicy, testCase: Pick<RiskPolicyCase, 'order' | 'view' | 'observe'>): { policy: RiskPolicy; verdict: RiskVerdict } {
  const policy = createPolicy();
  for (const event of testCase.observe ?? []) policy.observe?.(event);
  return { policy, verdict: policy.check(testCase.order, testCase.view) };
}

function expectWellFormed(verdict: RiskVerdict, where: string): void {
  expect(verdict, `${where}: check must return a verdict`).toBeTypeOf('object');
  expect(typeof (verdict as { then?: unknown }).then, `${where}: check must be synchronous, not return a promise`).not.toBe('function');
  expect(Object.isFrozen(verdict), `${where}: the verdict must be frozen (use ALLOW or deny())`).toBe(true);
  expect(typeof verdict.allowed, `${where}: verdict.allowed`).toBe('boolean');
  if (!verdict.allowed) {
    expect(verdict.code, `${where}: denial code ${JSON.stringify(verdict.code)} must be non-empty kebab-case`).toMatch(KEBAB_CASE);
    expect(typeof verdict.reason, `${where}: denial reason`).toBe('string');
    expect(verdict.reason.trim().length, `${where}: denial reason must say why`).toBeGreaterThan(0);
  }
}

/** Orders of every side and type on the case's instrument, all valid for a venue. */
function variations(base: SubmitOrder, view: RiskView): SubmitOrder[] {
  const price = base.price ?? base.triggerPrice ?? view.lastPrice ?? new Decimal(100);
  const orders: SubmitOrder[] = [];
  for (const side of ['buy', 'sell'] as const) {
    for (const type of ['market', 'limit', 'stop-loss', 'take-profit'] as const satisfies readonly OrderType[]) {
      orders.push(submitOrder({
        ...base,
        clientOrderId: `${base.clientOrderId}-${side}-${type}`,
        side,
        type,
        price: type === 'limit' ? price : undefined,
        triggerPrice: type === 'stop-loss' || type === 'take-profit' ? price : undefined,
      }));
    }
  }
  return orders;
}

/** The rules every RiskPolicy keeps, plus the given cases; `runRiskPolicyContract` registers them as tests. */
export function riskPolicyContractChecks(createPolicy: () => RiskPolicy, cases: readonly RiskPolicyCase[]): ContractCheck[] {
  const caseChecks: ContractCheck[] = cases.map((testCase) => ({
    name: `case: ${testCase.name} → ${testCase.expected.allowed ? 'allowed' : `denied (${testCase.expected.code})`}`,
    run: () => {
      const { verdict } = checkWith(createPolicy, testCase);
      expectWellFormed(verdict, testCase.name);
      if (testCase.expected.allowed) {
        expect(verdict.allowed, `${testCase.name}: expected the order to be allowed, got ${JSON.stringify(verdict)}`).toBe(true);
      } else {
        expect(verdict.allowed, `${testCase.name}: expected a denial with code ${testCase.expected.code}`).toBe(false);
        if (!verdict.allowed) expect(verdict.code).toBe(testCase.expected.code);
      }
    },
  }));
  return [
    ...persistenceChecks(createPolicy, cases),
    {
      name: 'the policy name is non-empty kebab-case',
      run: () => {
        expect(createPolicy().name).toMatch(KEBAB_CASE);
      },
    },
    {
      name: 'the cases include an allowed and a denied order',
      run: () => {
        expect(cases.some((testCase) => testCase.expected.allowed), 'add a case the policy allows').toBe(true);
        expect(cases.some((testCase) => !testCase.expected.allowed), 'add a case the policy denies').toBe(true);
      },
    },
    ...caseChecks,
    {
      name: 'check is deterministic: the same order and view give the same verdict',
      run: () => {
        for (const testCase of cases) {
          const { policy, verdict } = checkWith(createPolicy, testCase);
          expect(policy.check(testCase.order, testCase.view), `${testCase.name}: second check on the same policy`).toEqual(verdict);
          expect(checkWith(createPolicy, testCase).verdict, `${testCase.name}: check on a fresh policy`).toEqual(verdict);
        }
      },
    },
    {
      name: 'every verdict is frozen, with a kebab-case code and a reason when it denies',
      run: () => {
        for (const testCase of cases) expectWellFormed(checkWith(createPolicy, testCase).verdict, testCase.name);
      },
    },
    {
      name: 'check never throws on a valid order of any side and type',
      run: () => {
        const views = [riskView(), riskView({ lastPrice: 100 }), ...cases.map((testCase) => testCase.view)];
        const bases = [submitOrder({ clientOrderId: 'contract-order' }), ...cases.map((testCase) => testCase.order)];
        for (const view of views) {
          for (const base of bases) {
            for (const order of variations(base, view)) {
              const policy = createPolicy();
              let verdict: RiskVerdict | undefined;
              expect(() => {
                verdict = policy.check(order, view);
              }, `${order.side} ${order.type} ${order.quantity.toFixed()} ${order.instrumentId}`).not.toThrow();
              expectWellFormed(verdict!, `${order.side} ${order.type}`);
            }
          }
        }
      },
    },
  ];
}

/**
 * A policy that keeps state across restarts (`snapshot` and `restore`): its snapshot is plain
 * JSON, and a fresh policy restored from it judges the next order exactly as the original does,
 * whatever the original learned from events and from checks. A state it cannot read throws,
 * naming where it came from.
 */
function persistenceChecks(createPolicy: () => RiskPolicy, cases: readonly RiskPolicyCase[]): ContractCheck[] {
  const sample = createPolicy();
  const checks: ContractCheck[] = [
    {
      name: 'snapshot and restore come together (a state kept must be taken back)',
      run: () => {
        expect(sample.snapshot === undefined, 'snapshot without restore, or restore without snapshot').toBe(sample.restore === undefined);
      },
    },
  ];
  if (sample.snapshot === undefined || sample.restore === undefined) return checks;
  const roundTrip = (policy: RiskPolicy): unknown => JSON.parse(JSON.stringify(policy.snapshot!()));
  checks.push(
    {
      name: 'the snapshot is plain JSON (it survives JSON.stringify and JSON.parse unchanged)',
      run: () => {
        for (const testCase of cases) {
          const { policy } = checkWith(createPolicy, testCase);
          expect(roundTrip(policy), testCase.name).toEqual(policy.snapshot!());
        }
      },
    },
    {
      name: 'a fresh policy restored from the snapshot judges the next order as the original does',
      run: () => {
        for (const testCase of cases) {
          const { policy } = checkWith(createPolicy, testCase);
          const restored = createPolicy();
          restored.restore!(roundTrip(policy), 'contract snapshot');
          expect(restored.check(testCase.order, testCase.view), `${testCase.name}: the restored policy's verdict`).toEqual(policy.check(testCase.order, testCase.view));
          expect(roundTrip(restored), `${testCase.name}: the restored policy's own snapshot`).toEqual(roundTrip(policy));
        }
      },
    },
    ...(sample.stateRevision === undefined ? [] : [{
      name: 'stateRevision goes up whenever a check or an equity observation changes the snapshot (what a crash would lose otherwise), and never down',
      run: () => {
        for (const testCase of cases) {
          const policy = createPolicy();
          for (const event of testCase.observe ?? []) policy.observe?.(event);
          let revision = policy.stateRevision!();
          let kept = JSON.stringify(policy.snapshot!());
          const expectCounted = (what: string) => {
            const now = policy.stateRevision!();
            const state = JSON.stringify(policy.snapshot!());
            expect(now, `${testCase.name}: ${what}: stateRevision went down`).toBeGreaterThanOrEqual(revision);
            if (state !== kept) expect(now, `${testCase.name}: ${what} changed the snapshot but not stateRevision`).toBeGreaterThan(revision);
            revision = now;
            kept = state;
          };
          policy.check(testCase.order, testCase.view);
          expectCounted('the check');
          const equity = testCase.view.portfolio.equity().toNumber() || 1000;
          for (const factor of [1, 1.1, 1.2, 1.15, 0.5, 1.3]) {
            policy.observeEquity?.(equity * factor, 1_700_000_000_000);
            expectCounted(`equity ${equity * factor}`);
          }
        }
      },
    } satisfies ContractCheck]),
    {
      name: 'restore refuses a state that is not a snapshot of this policy, naming where it came from',
      run: () => {
        for (const foreign of ['not a state', 42, null, [], { unexpected: true }]) {
          expect(() => createPolicy().restore!(foreign, 'contract snapshot'), JSON.stringify(foreign)).toThrow(/contract snapshot/);
        }
      },
    },
  );
  return checks;
}

/**
 * The RiskPolicy contract: a synchronous, deterministic `check` that returns frozen verdicts with
 * stable kebab-case codes and never throws on a valid order, plus your allow and deny cases. A
 * policy with `snapshot` and `restore` must also come back from its snapshot judging as before.
 * `createPolicy` must return a fresh policy each time (stateful policies start clean).
 */
export function runRiskPolicyContract(name: string, createPolicy: () => RiskPolicy, cases: readonly RiskPolicyCase[]): void {
  registerContract(`${name} keeps the RiskPolicy contract`, riskPolicyContractChecks(createPolicy, cases));
}
