import type { FaultInjector } from './fault-injector.js';
import type { PairCatalog } from './pair-catalog.js';
import type { SimAccount, SystemStatus } from './simulator-account.js';
import type { SimulatedMarket } from './simulated-market.js';
import type { TokenRegistry } from './token-registry.js';

/** What the REST and WebSocket front ends share. */
export interface SimulatorContext {
  readonly catalog: PairCatalog;
  readonly market: SimulatedMarket;
  /** By API key. */
  readonly accounts: ReadonlyMap<string, SimAccount>;
  readonly tokens: TokenRegistry;
  readonly faults: FaultInjector;
  /** Wall clock, epoch ms: nonces, rate counters, tokens, deadlines and the dead man's switch run on it. */
  readonly wallNow: () => number;
  systemStatus(): SystemStatus;
  /** Consecutive authentication failures of a key that lock it, and for how long (spec §4.4, §12.1). */
  readonly lockout: { readonly failures: number; readonly durationMs: number };
}
