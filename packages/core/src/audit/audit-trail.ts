import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { EventBus, Unsubscribe } from '../bus/event-bus.js';
import type { OrderEvent } from '../model/events.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { REDACTED, SECRET_FIELD_NAMES } from '../log/redaction.js';
import { isDecimal } from '../model/decimal.js';

/** The audit trail's name inside the storage folder. */
export const AUDIT_FILE_NAME = 'audit.log';

export function auditFilePath(storageDir: string): string {
  return resolve(storageDir, AUDIT_FILE_NAME);
}

/** Who caused an entry: a strategy of the bot, or a person at the command line. */
export type AuditActor = `strategy:${string}` | `operator:${string}`;

/** One line of the audit trail. */
export interface AuditEntry {
  /** When it happened (ISO 8601, UTC): the engine's time for orders, the wall clock for operators. */
  readonly time: string;
  readonly actor: AuditActor;
  /** `order-submit`, `order-cancel`, or `operator-command`. */
  readonly action: string;
  readonly [detail: string]: unknown;
}

/** An operator command as it goes into the trail: what was run, with which (non-secret) arguments, and how it ended. */
export interface OperatorAction {
  /** The command as typed without flags: `keys set`, `panic`, `cancel-all`, `sell`. */
  readonly command: string;
  /** Flags and arguments worth keeping (never credentials: fields named like them are censored anyway). */
  readonly args?: Readonly<Record<string, unknown>>;
  readonly outcome: 'ok' | 'failed' | 'refused';
  /** A short explanation (the error message of a failed command). */
  readonly detail?: string;
  /** Default: the operating-system user running kbot. */
  readonly actor?: AuditActor;
}

export interface AuditTrailOptions {
  /** Wall clock for operator entries (tests). */
  readonly now?: () => number;
  /** Where a failed write of an order entry is reported; order entries never throw into the engine. */
  readonly logger?: Logger;
}

const SECRET_NAMES = new Set(SECRET_FIELD_NAMES.map((name) => name.toLowerCase()));

/**
 * An append-only file of who did what: one JSON object per line, for every order command a
 * strategy gave (submit, cancel and their outcomes) and every operator command. The file is only
 * ever opened for appending, with mode 0600. Operator entries are flushed to disk (fsync) before
 * the call returns; order entries are written at once but flushed on close, since the journal is
 * their durable record and an fsync per order would slow the engine's loop.
 */
export class AuditTrail {
  readonly file: string;
  private descriptor: number | undefined;
  private readonly now: () => number;
  private readonly logger: Logger;

  constructor(file: string, options: AuditTrailOptions = {}) {
    this.file = file;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger;
  }

  /** Records an operator command; throws if it cannot be written (the operator must know). */
  recordOperatorAction(action: OperatorAction): AuditEntry {
    const entry: AuditEntry = {
      time: new Date(this.now()).toISOString(),
      actor: action.actor ?? operatorActor(),
      action: 'operator-command',
      command: action.command,
      args: action.args ?? {},
      outcome: action.outcome,
      ...(action.detail === undefined ? {} : { detail: action.detail }),
    };
    this.append(entry, true);
    return entry;
  }

  /**
   * Records an order event that is a command or a command's outcome (submitted, denied,
   * rejected, cancel requested, cancel rejected, canceled); other events are ignored. A write
   * failure is logged, not thrown: the engine's loop must not stop because the audit disk is full.
   */
  recordOrderEvent(event: OrderEvent): AuditEntry | undefined {
    const entry = orderEntry(event);
    if (!entry) return undefined;
    try {
      this.append(entry, false);
    } catch (error) {
      this.logger.error('audit trail write failed', { file: this.file, error: (error as Error).message, clientOrderId: event.clientOrderId });
    }
    return entry;
  }

  /** Appends one entry as one line; `sync` flushes it to disk before returning. */
  append(entry: AuditEntry, sync: boolean): void {
    const line = `${JSON.stringify(censor(entry, new Set()))}\n`;
    if (this.descriptor === undefined) {
      mkdirSync(dirname(this.file), { recursive: true });
      this.descriptor = openSync(this.file, 'a', 0o600);
    }
    writeSync(this.descriptor, line);
    if (sync) fsyncSync(this.descriptor);
  }

  /** Flushes and closes the file; a later entry opens it again. */
  close(): void {
    if (this.descriptor === undefined) return;
    const descriptor = this.descriptor;
    this.descriptor = undefined;
    try {
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
  }
}

/**
 * Subscribes the trail to a bot's order events (engine.bus), so every order command a strategy
 * gives is recorded with `actor: strategy:<id>`. Returns the unsubscribe function.
 */
export function attachAuditTrail(bus: EventBus, trail: AuditTrail): Unsubscribe {
  const record = (event: OrderEvent) => {
    trail.recordOrderEvent(event);
  };
  const subscriptions = AUDITED_ORDER_EVENTS.map((type) => bus.on(type, record));
  return () => {
    for (const unsubscribe of subscriptions) unsubscribe();
  };
}

/** The order events the trail keeps: the commands and how the risk engine or the venue answered them. */
export const AUDITED_ORDER_EVENTS = Object.freeze([
  'order-submitted', 'order-denied', 'order-rejected', 'order-cancel-requested', 'order-cancel-rejected', 'order-canceled',
] as const);

/** `operator:<user>`: the operating-system account running this process. */
export function operatorActor(env: Readonly<Record<string, string | undefined>> = process.env): AuditActor {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    // Containers may run under a uid with no passwd entry.
    user = env.USER ?? env.LOGNAME ?? env.USERNAME;
  }
  return `operator:${user && user.trim() !== '' ? user.trim() : 'unknown'}`;
}

const ACTIONS: Record<(typeof AUDITED_ORDER_EVENTS)[number], { action: string; outcome: string }> = {
  'order-submitted': { action: 'order-submit', outcome: 'submitted' },
  'order-denied': { action: 'order-submit', outcome: 'denied' },
  'order-rejected': { action: 'order-submit', outcome: 'rejected' },
  'order-cancel-requested': { action: 'order-cancel', outcome: 'requested' },
  'order-cancel-rejected': { action: 'order-cancel', outcome: 'rejected' },
  'order-canceled': { action: 'order-cancel', outcome: 'canceled' },
};

function orderEntry(event: OrderEvent): AuditEntry | undefined {
  const kind = ACTIONS[event.type as keyof typeof ACTIONS];
  if (!kind) return undefined;
  const order = event.order;
  const money = (value: unknown) => (isDecimal(value) ? value.toFixed() : undefined);
  const reason = event.type === 'order-denied' ? { code: event.code, policy: event.policy, reason: event.reason }
    : event.type === 'order-rejected' || event.type === 'order-cancel-rejected' ? { reason: event.reason }
      : {};
  return {
    time: new Date(event.time).toISOString(),
    actor: `strategy:${event.strategyId}`,
    action: kind.action,
    outcome: kind.outcome,
    event: event.type,
    sequence: event.sequence,
    clientOrderId: event.clientOrderId,
    ...(order.venueOrderId === undefined ? {} : { venueOrderId: order.venueOrderId }),
    strategyId: event.strategyId,
    pair: event.instrumentId,
    side: order.side,
    type: order.type,
    quantity: money(order.quantity),
    ...(order.price === undefined ? {} : { price: money(order.price) }),
    ...(order.triggerPrice === undefined ? {} : { triggerPrice: money(order.triggerPrice) }),
    ...(order.tag === undefined ? {} : { tag: order.tag }),
    ...reason,
  };
}

/** Censors fields named like credentials at any depth: the trail is read by people and tools alike. */
function censor(value: unknown, seen: Set<object>): unknown {
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  if (isDecimal(value)) return value.toFixed();
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => censor(item, seen));
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, SECRET_NAMES.has(name.toLowerCase()) ? REDACTED : censor(item, seen)]));
}
