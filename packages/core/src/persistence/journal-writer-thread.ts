import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { Decimal } from '../model/decimal.js';
import type { JournaledEvent } from '../model/events.js';
import { encodeEvent } from './event-codec.js';
import { FIELD_FORMATTER_SOURCE, FieldStreams } from './journal-field-formatter.js';
import { flattenJournalEvent, formatFields, PLAIN_SCHEMAS } from './journal-payload.js';
import { StoreError } from './store-error.js';

/*
 * The journal's payload text and SQLite inserts on a second thread, so a backtest that journals
 * every event does not pay for them on the engine's thread
 * (docs/decisions/2026-11-26-compact-journal-payloads.md, step 2). The engine's thread checks
 * each event against its schema and writes its fields as numbers and texts (a Decimal as its
 * digit groups, exponent and sign: a Decimal itself cannot be posted); it collects a batch's
 * values and posts them in one message when the batch commits, the numbers' memory transferred,
 * not copied. The worker writes the payload texts with the
 * same field formatter the engine's thread uses (journal-field-formatter.ts), owns a second
 * connection to the same file, and writes each message in one transaction. Shared counters tell
 * the engine's thread, without a message round trip, how many messages are committed and
 * whether the worker failed.
 */

/** Slots of the shared counters. */
const COMMITTED = 0;
const FAILED = 1;
const CLOSED = 2;
/** 1 once the worker has opened its connection and can write. */
const READY = 3;
const SLOTS = 4;

/**
 * Operations inside a posted message. Each starts with three numbers (opcode, sequence, time) and
 * its texts: event (type, payload), snapshot (state), or event as fields (type, then the event's
 * fields as journal-field-formatter.ts writes them).
 */
const OP_EVENT = 1;
const OP_SNAPSHOT = 2;
const OP_FIELDS = 3;

/**
 * Body of `(insertEvent, insertSnapshot, pruneSnapshots, keepSnapshots, formatEvent) =>
 * (numbers, texts) => void`: writes a batch's operations with the given prepared statements.
 * Source text for the same reason as the formatter's: the worker runs it, and so does the
 * engine's thread while the worker is still starting (`JournalWriterThread.post`).
 */
const WRITE_OPERATIONS_SOURCE = `
return function writeOperations(numbers, texts) {
  const at = { numbers: 0, texts: 0 };
  while (at.numbers < numbers.length) {
    const op = numbers[at.numbers];
    const sequence = numbers[at.numbers + 1];
    const time = numbers[at.numbers + 2];
    at.numbers += 3;
    if (op === 3) {
      const type = texts[at.texts];
      insertEvent.run(sequence, type, time, formatEvent(type, numbers, texts, at));
    } else if (op === 1) {
      insertEvent.run(sequence, texts[at.texts], time, texts[at.texts + 1]);
      at.texts += 2;
    } else if (op === 2) {
      insertSnapshot.run(sequence, time, texts[at.texts++]);
      pruneSnapshots.run(keepSnapshots);
    } else {
      throw new Error('unknown journal writer operation ' + String(op) + ' at number ' + (at.numbers - 3));
    }
  }
  if (at.texts !== texts.length) throw new Error('journal writer: ' + (texts.length - at.texts) + ' texts left over after the last operation');
};
`;

/** The statements a batch's operations are written with. */
export interface JournalStatements {
  readonly insertEvent: { run(sequence: number, type: string, time: number, payload: string): unknown };
  readonly insertSnapshot: { run(sequence: number, time: number, state: string): unknown };
  readonly pruneSnapshots: { run(keep: number): unknown };
}

/** Writes operations as collected by JournalWriterThread; the caller wraps it in a transaction. */
export type OperationsWriter = (numbers: Float64Array, texts: readonly (string | undefined)[]) => void;

/** The operations writer on this thread, for a connection's statements. */
export function createOperationsWriter(statements: JournalStatements, keepSnapshots: number): OperationsWriter {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- one source for both threads (see above)
  const make = new Function('insertEvent', 'insertSnapshot', 'pruneSnapshots', 'keepSnapshots', 'formatEvent', WRITE_OPERATIONS_SOURCE);
  return make(statements.insertEvent, statements.insertSnapshot, statements.pruneSnapshots, keepSnapshots, formatFields) as OperationsWriter;
}

/**
 * Messages posted and not yet committed before `post` waits: bounds the memory a slow disk can
 * make the queue take (a backtest group is a few hundred rows).
 */
const MAX_IN_FLIGHT = 16;
/** How long waiting for the worker may take before the store gives up with an error. */
const WAIT_LIMIT_MS = 120_000;

/**
 * Writer threads not closed yet. If the process exits without closing its store, the 'exit'
 * handler (still able to wait: the threads live until it returns) lets each commit what it was
 * handed, so a committed batch is on disk as it would be with the inline writer. An unfinished
 * batch's rows are dropped, as its transaction would be.
 */
const openWriters = new Set<JournalWriterThread>();

/** @internal Exported for its test; the process calls it on 'exit'. */
export function closeOpenWritersOnExit(): void {
  for (const writer of openWriters) {
    try {
      writer.truncate(0);
      writer.close();
    } catch {
      // Exiting: the store's next open reads what reached the file.
    }
  }
}

export interface JournalWriterThreadOptions {
  readonly file: string;
  readonly durability: 'full' | 'normal';
  readonly autoCheckpointPages: number;
  readonly busyTimeoutMs: number;
  readonly keepSnapshots: number;
  /**
   * Writes a batch in one transaction on the engine's thread (the store's own connection). Used
   * while the worker is still starting, so the first commits need not wait for it.
   */
  readonly writeHere: OperationsWriter;
}

/**
 * The worker's whole program, as source text started with `eval`. Text, not a function of this
 * module: the published bundle has no separate file to start, and a bundler rewrites a function's
 * body (its `require`, its helpers), which a worker cannot resolve. The program uses only
 * `require` and its workerData; any error it meets, even while starting, is reported through the
 * shared counters and the error port, because the engine's thread may be blocked waiting on them.
 * Counter slots: 0 committed messages, 1 failed, 2 closed, 3 ready. Operations: see OP_EVENT above.
 */
const WORKER_SOURCE = `
'use strict';
const { workerData, parentPort } = require('node:worker_threads');
const counters = new Int32Array(workerData.shared);
function fail(error, what) {
  try {
    workerData.errors.postMessage({ what, message: String((error && error.message) || error), code: error && error.code });
  } finally {
    Atomics.store(counters, 1, 1);
    Atomics.notify(counters, 0);
    Atomics.notify(counters, 2);
    Atomics.notify(counters, 3);
  }
}
let database;
let write;
try {
  const Decimal = require(workerData.decimalPath).clone(workerData.decimalConfig);
  const formatEvent = new Function('Decimal', 'schemas', workerData.formatterSource)(Decimal, workerData.schemas);
  const Database = require(workerData.sqlitePath);
  database = new Database(workerData.file, { timeout: workerData.busyTimeoutMs, fileMustExist: true });
  database.pragma('synchronous = ' + (workerData.durability === 'normal' ? 'NORMAL' : 'FULL'));
  database.pragma('wal_autocheckpoint = ' + workerData.autoCheckpointPages);
  const insertEvent = database.prepare('INSERT INTO journal (sequence, type, time, payload) VALUES (?, ?, ?, ?)');
  const insertSnapshot = database.prepare('INSERT INTO snapshots (sequence, time, state) VALUES (?, ?, ?)');
  const pruneSnapshots = database.prepare('DELETE FROM snapshots WHERE id <= (SELECT id FROM snapshots ORDER BY id DESC LIMIT 1 OFFSET ?)');
  const writeOperations = new Function('insertEvent', 'insertSnapshot', 'pruneSnapshots', 'keepSnapshots', 'formatEvent', workerData.writeOperationsSource)(
    insertEvent, insertSnapshot, pruneSnapshots, workerData.keepSnapshots, formatEvent);
  write = database.transaction(writeOperations);
  Atomics.store(counters, 3, 1);
  Atomics.notify(counters, 3);
} catch (error) {
  fail(error, 'open');
}
if (write !== undefined) {
  parentPort.on('message', (message) => {
    if (Atomics.load(counters, 1) !== 0) return;
    if (message.close === true) {
      try {
        database.close();
      } catch (error) {
        fail(error, 'close');
        return;
      }
      Atomics.store(counters, 2, 1);
      Atomics.notify(counters, 2);
      parentPort.close();
      return;
    }
    try {
      write(message.numbers, message.texts);
    } catch (error) {
      fail(error, 'journal');
      return;
    }
    Atomics.add(counters, 0, 1);
    Atomics.notify(counters, 0);
  });
}
`;

/**
 * The engine's side of the writer thread. Rows are collected with `event` and `snapshot`,
 * dropped with `truncate` (a batch rolled back), and handed to the worker with `post` (a batch
 * committed). `settle` waits until the worker has committed everything posted. A failure of the
 * worker makes every later call throw the worker's error as a StoreError.
 */
export class JournalWriterThread {
  private readonly worker: Worker;
  private readonly errors: MessagePort;
  private readonly counters: Int32Array;
  private pending = new FieldStreams();
  /** Where each collected operation starts in the streams, for `truncate`. */
  private readonly opNumbers: number[] = [];
  private readonly opTexts: number[] = [];
  private posted = 0;
  /** Batches written on this thread while the worker was starting. */
  private writtenHere = 0;
  private failure: StoreError | undefined;
  private closed = false;

  constructor(private readonly options: JournalWriterThreadOptions) {
    const shared = new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
    this.counters = new Int32Array(shared);
    const channel = new MessageChannel();
    this.errors = channel.port1;
    const resolve = createRequire(import.meta.url).resolve;
    const decimalConfig = { precision: Decimal.precision, rounding: Decimal.rounding, toExpNeg: Decimal.toExpNeg, toExpPos: Decimal.toExpPos, minE: Decimal.minE, maxE: Decimal.maxE };
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file: options.file,
        durability: options.durability,
        autoCheckpointPages: options.autoCheckpointPages,
        busyTimeoutMs: options.busyTimeoutMs,
        keepSnapshots: options.keepSnapshots,
        sqlitePath: resolve('better-sqlite3'),
        decimalPath: resolve('decimal.js'),
        decimalConfig,
        formatterSource: FIELD_FORMATTER_SOURCE,
        writeOperationsSource: WRITE_OPERATIONS_SOURCE,
        schemas: PLAIN_SCHEMAS,
        shared,
        errors: channel.port2,
      },
      transferList: [channel.port2],
    });
    // The store's close() ends the worker; an open store must not keep the process alive by itself.
    this.worker.unref();
    this.errors.unref();
    // Errors come through the shared counters and the error port; this keeps an uncaught one from
    // becoming the process's.
    this.worker.on('error', () => {});
    if (openWriters.size === 0) process.on('exit', closeOpenWritersOnExit);
    openWriters.add(this);
  }

  private forget(): void {
    openWriters.delete(this);
    if (openWriters.size === 0) process.off('exit', closeOpenWritersOnExit);
  }

  /** Operations (rows) collected and not yet posted: a mark for `truncate`. */
  get mark(): number {
    return this.opNumbers.length;
  }

  private beginOp(op: number, sequence: number, time: number): void {
    const pending = this.pending;
    this.opNumbers.push(pending.numberCount);
    this.opTexts.push(pending.texts.length);
    pending.number(op);
    pending.number(sequence);
    pending.number(time);
  }

  /**
   * Collects `event`: as its flattened fields when it fits its compact form and `compact` is
   * true (the worker writes the text), else as its JSON text written here.
   */
  event(event: JournaledEvent, compact: boolean): void {
    const pending = this.pending;
    if (compact) {
      // The event's first field is its type: the worker reads it there.
      this.beginOp(OP_FIELDS, event.sequence, event.time);
      if (flattenJournalEvent(event, pending)) return;
      this.truncate(this.mark - 1);
    }
    const payload = encodeEvent(event);
    this.beginOp(OP_EVENT, event.sequence, event.time);
    pending.text(event.type);
    pending.text(payload);
  }

  snapshot(sequence: number, time: number, state: string): void {
    this.beginOp(OP_SNAPSHOT, sequence, time);
    this.pending.text(state);
  }

  /** Drops the operations collected after `mark` (a batch that threw). */
  truncate(mark: number): void {
    if (mark >= this.opNumbers.length) return;
    this.pending.truncate(this.opNumbers[mark]!, this.opTexts[mark]!);
    this.opNumbers.length = mark;
    this.opTexts.length = mark;
  }

  /** Batches written on the engine's thread because the worker was not ready yet. */
  get batchesWrittenHere(): number {
    return this.writtenHere;
  }

  /**
   * Hands the collected rows to the worker, to be written in one transaction. While the worker is
   * still starting (a thread takes 40–60 ms to start here, which a backtest's first commit would
   * otherwise wait for) and nothing is queued for it, the rows are written on this thread
   * instead, through the store's connection: they commit before any row the worker writes later.
   */
  post(): void {
    this.check();
    if (this.opNumbers.length === 0) return;
    if (this.posted === 0 && Atomics.load(this.counters, READY) === 0) {
      const pending = this.pending;
      try {
        this.options.writeHere(pending.numbers.subarray(0, pending.numberCount), pending.texts);
      } catch (error) {
        this.failure = new StoreError('store-write-failed', this.options.file, `journal rows could not be written while the writer thread started: ${(error as Error).message}`, { cause: error });
        throw this.failure;
      }
      this.truncate(0);
      this.writtenHere++;
      return;
    }
    if (this.posted - Atomics.load(this.counters, COMMITTED) >= MAX_IN_FLIGHT) this.waitCommitted(this.posted - MAX_IN_FLIGHT + 1);
    const { numbers, texts } = this.pending.take();
    this.opNumbers.length = 0;
    this.opTexts.length = 0;
    // The numbers' memory moves to the worker; this thread goes on in a new buffer.
    this.worker.postMessage({ numbers, texts }, [numbers.buffer as ArrayBuffer]);
    this.posted++;
  }

  /** Blocks until the worker has opened its connection (or failed); later batches go to it. */
  waitUntilReady(): void {
    this.waitFor(READY, 1, 'start');
  }

  /** Waits until the worker has committed everything posted so far. */
  settle(): void {
    this.check();
    this.waitCommitted(this.posted);
  }

  /** Posts what is collected, waits for its commit, and ends the worker (its connection closes). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.forget();
    try {
      this.post();
      this.waitCommitted(this.posted);
      this.worker.postMessage({ close: true });
      this.waitFor(CLOSED, 1, 'close the journal');
      this.check();
    } finally {
      void this.worker.terminate();
    }
  }

  private waitCommitted(target: number): void {
    this.waitFor(COMMITTED, target, 'commit the journal');
  }

  /** Blocks until `counters[slot]` reaches `target`, the worker fails, or the wait limit passes. */
  private waitFor(slot: number, target: number, what: string): void {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      this.check();
      const current = Atomics.load(this.counters, slot);
      if (current >= target) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        this.failure = new StoreError('store-write-failed', this.options.file, `the journal writer thread did not ${what} within ${WAIT_LIMIT_MS / 1000} s; the rows after the last commit may be lost`);
        throw this.failure;
      }
      // In slices: a failure sets another slot, and its notify may come between the check above
      // and this wait, which would then sleep through it.
      Atomics.wait(this.counters, slot, current, Math.min(left, 50));
    }
  }

  /** Throws the worker's failure, if it failed. */
  private check(): void {
    if (this.failure !== undefined) throw this.failure;
    if (Atomics.load(this.counters, FAILED) === 0) return;
    const report = receiveMessageOnPort(this.errors)?.message as { what?: string; message?: string; code?: string } | undefined;
    const committed = Atomics.load(this.counters, COMMITTED);
    this.failure = new StoreError(
      'store-write-failed',
      this.options.file,
      `the journal writer thread failed (${report?.what ?? 'unknown step'}: ${report?.message ?? 'no message'}${report?.code ? `, ${report.code}` : ''}); ${this.posted - committed} posted batch(es) were not written`,
    );
    throw this.failure;
  }
}
