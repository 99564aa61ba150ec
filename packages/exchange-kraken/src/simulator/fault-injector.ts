/** What an injected failure does to the next call of an endpoint. */
export interface InjectedFault {
  /** Kraken error string returned in the envelope (REST) or as `error` (WebSocket). */
  readonly error?: string;
  /** Answer with this HTTP status instead (a gateway failure: 429, 502, 520...); REST only. */
  readonly httpStatus?: number;
  /** Body sent with `httpStatus`; default a short text. */
  readonly body?: string;
  /**
   * The call takes effect first and the failure replaces its answer: the classic ambiguous
   * outcome (an order placed although the client saw an error). Default false.
   */
  readonly after?: boolean;
  /**
   * WebSocket only: the request is taken up this many milliseconds late (with `error`, it then
   * fails as given): a request still on its way when the client's wait for an answer ends.
   */
  readonly delayMs?: number;
}

function normalise(endpoint: string): string {
  return endpoint.slice(endpoint.lastIndexOf('/') + 1).toLowerCase();
}

/** Test hooks that make the next calls fail on purpose (spec §12.2). */
export class FaultInjector {
  readonly #pending = new Map<string, InjectedFault[]>();
  #corruptBookChecksums = 0;

  /**
   * The next call of `endpoint` fails with `fault`. `endpoint` is a REST name (`AddOrder`,
   * `/0/private/AddOrder`, `Ticker`) or a WebSocket method (`add_order`, `subscribe`); names
   * are matched case-insensitively. Several calls queue up.
   */
  rejectNext(endpoint: string, fault: string | InjectedFault): void {
    const entry = typeof fault === 'string' ? { error: fault } : fault;
    if (entry.error === undefined && entry.httpStatus === undefined && entry.delayMs === undefined) {
      throw new TypeError(`rejectNext(${JSON.stringify(endpoint)}): received a fault with neither error, httpStatus nor delayMs, expected one of them`);
    }
    const key = normalise(endpoint);
    const queue = this.#pending.get(key) ?? [];
    queue.push(entry);
    this.#pending.set(key, queue);
  }

  /** Takes the fault queued for `endpoint`, if any. */
  take(endpoint: string): InjectedFault | undefined {
    const key = normalise(endpoint);
    const queue = this.#pending.get(key);
    const fault = queue?.shift();
    if (queue !== undefined && queue.length === 0) this.#pending.delete(key);
    return fault;
  }

  /** Looks without taking: used to decide whether the HTTP layer must answer before parsing. */
  peek(endpoint: string): InjectedFault | undefined {
    return this.#pending.get(normalise(endpoint))?.[0];
  }

  corruptNextBookChecksum(): void {
    this.#corruptBookChecksums += 1;
  }

  /** True once per `corruptNextBookChecksum()` call: the book message being sent gets a wrong checksum. */
  takeBookCorruption(): boolean {
    if (this.#corruptBookChecksums === 0) return false;
    this.#corruptBookChecksums -= 1;
    return true;
  }
}
