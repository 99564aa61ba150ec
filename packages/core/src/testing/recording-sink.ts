import type { ExecutionReportSink, VenueFill } from '../exchange/exchange.js';
import type { ClientOrderId, VenueOrderId } from '../model/ids.js';
import type { EpochMs } from '../model/time.js';

/** One call an execution client made on its report sink, tagged with its kind. */
export type ExecutionReport =
  | { readonly kind: 'accepted'; readonly clientOrderId: ClientOrderId; readonly venueOrderId: VenueOrderId; readonly time: EpochMs }
  | { readonly kind: 'rejected'; readonly clientOrderId: ClientOrderId; readonly reason: string; readonly time: EpochMs }
  | { readonly kind: 'filled'; readonly clientOrderId: ClientOrderId; readonly fill: VenueFill; readonly time: EpochMs }
  | { readonly kind: 'canceled'; readonly clientOrderId: ClientOrderId; readonly time: EpochMs; readonly reason?: string }
  | { readonly kind: 'cancel-rejected'; readonly clientOrderId: ClientOrderId; readonly reason: string; readonly time: EpochMs }
  | { readonly kind: 'expired'; readonly clientOrderId: ClientOrderId; readonly time: EpochMs };

export type ExecutionReportKind = ExecutionReport['kind'];

interface Waiter {
  readonly predicate: (report: ExecutionReport) => boolean;
  readonly resolve: (report: ExecutionReport) => void;
}

/**
 * An ExecutionReportSink that keeps every report in arrival order, for tests of execution
 * clients. `waitFor` covers clients whose reports arrive asynchronously (over a socket).
 */
export class RecordingSink implements ExecutionReportSink {
  private readonly received: ExecutionReport[] = [];
  private waiters: Waiter[] = [];

  /** Every report so far, in arrival order. */
  get reports(): readonly ExecutionReport[] {
    return this.received;
  }

  /** Every fill so far, in arrival order. */
  get fills(): readonly VenueFill[] {
    return this.received.flatMap((report) => (report.kind === 'filled' ? [report.fill] : []));
  }

  /** Reports about one order, in arrival order. */
  for(clientOrderId: ClientOrderId | string): readonly ExecutionReport[] {
    return this.received.filter((report) => report.clientOrderId === clientOrderId);
  }

  ofKind<K extends ExecutionReportKind>(kind: K): Extract<ExecutionReport, { kind: K }>[] {
    return this.received.filter((report): report is Extract<ExecutionReport, { kind: K }> => report.kind === kind);
  }

  clear(): void {
    this.received.length = 0;
  }

  /**
   * Resolves with the first report (already received or still to come) that matches; rejects
   * after `timeoutMs` with a message listing what did arrive.
   */
  waitFor(predicate: (report: ExecutionReport) => boolean, timeoutMs = 2000, description = 'a matching report'): Promise<ExecutionReport> {
    const found = this.received.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (report) => {
          clearTimeout(timer);
          resolve(report);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((candidate) => candidate !== waiter);
        const seen = this.received.map((report) => `${report.kind} ${report.clientOrderId}`).join(', ') || 'none';
        reject(new Error(`waited ${timeoutMs} ms for ${description}; reports received: ${seen}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  onAccepted(report: { clientOrderId: ClientOrderId; venueOrderId: VenueOrderId; time: EpochMs }): void {
    this.record({ kind: 'accepted', clientOrderId: report.clientOrderId, venueOrderId: report.venueOrderId, time: report.time });
  }

  onRejected(report: { clientOrderId: ClientOrderId; reason: string; time: EpochMs }): void {
    this.record({ kind: 'rejected', clientOrderId: report.clientOrderId, reason: report.reason, time: report.time });
  }

  onFilled(fill: VenueFill): void {
    this.record({ kind: 'filled', clientOrderId: fill.clientOrderId, fill, time: fill.time });
  }

  onCanceled(report: { clientOrderId: ClientOrderId; time: EpochMs; reason?: string }): void {
    this.record({ kind: 'canceled', clientOrderId: report.clientOrderId, time: report.time, ...(report.reason === undefined ? {} : { reason: report.reason }) });
  }

  onCancelRejected(report: { clientOrderId: ClientOrderId; reason: string; time: EpochMs }): void {
    this.record({ kind: 'cancel-rejected', clientOrderId: report.clientOrderId, reason: report.reason, time: report.time });
  }

  onExpired(report: { clientOrderId: ClientOrderId; time: EpochMs }): void {
    this.record({ kind: 'expired', clientOrderId: report.clientOrderId, time: report.time });
  }

  private record(report: ExecutionReport): void {
    const frozen = Object.freeze(report);
    this.received.push(frozen);
    if (this.waiters.length === 0) return;
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (waiter.predicate(frozen)) waiter.resolve(frozen);
      else this.waiters.push(waiter);
    }
  }
}
