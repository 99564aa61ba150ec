import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import type { Fill } from '../model/fill.js';
import { decodeJournalPayload } from '../persistence/journal-payload.js';

/** A recorded session's start and, if it stopped, its stop (manifest times, wall clock). */
export interface SessionSpan {
  readonly startedAt: number;
  readonly stoppedAt: number | null;
}

/**
 * The fills a session journaled, read from the bot's journal (`<session folder>/kbot.sqlite`),
 * to find those its recording lost (a killed process loses its last buffered second). The
 * session's part of the journal starts at the first `engine-started` at or after the recording's
 * start time (engine events carry the wall clock; fills carry the venue's time and cannot place a
 * session) and ends at the next `engine-started` or `engine-stopped`. So start-up reconciliation
 * fills are left out (they come before `engine-started`), and after a killed session, the next
 * start's reconciliation fills of its orders are counted with it.
 * `undefined` when the journal has no engine start in the span (another bot's journal, or the
 * session stopped before its engine started). Throws what SQLite throws for an unreadable file.
 *
 * The connection reads only (`query_only`); it is not opened read-only because a read-only
 * connection leaves an empty `-wal` and a `-shm` behind it, while a normal one removes them when
 * it is the last to close (a running bot keeps its own), with SQLite's locking against a bot that
 * starts at the same moment.
 */
export function journaledSessionFills(journalFile: string, span: SessionSpan): Fill[] | undefined {
  let database: Database | undefined;
  try {
    database = new BetterSqlite3(journalFile, { fileMustExist: true, timeout: 5000 });
    database.pragma('query_only = true');
    const start = database
      .prepare(`SELECT sequence FROM journal WHERE type = 'engine-started' AND time >= ?${span.stoppedAt === null ? '' : ' AND time <= ?'} ORDER BY sequence LIMIT 1`)
      .pluck()
      .get(...(span.stoppedAt === null ? [span.startedAt] : [span.startedAt, span.stoppedAt])) as number | undefined;
    if (start === undefined) return undefined;
    const end = database
      .prepare("SELECT sequence FROM journal WHERE sequence > ? AND type IN ('engine-started', 'engine-stopped') ORDER BY sequence LIMIT 1")
      .pluck()
      .get(start) as number | undefined;
    const rows = database
      .prepare("SELECT sequence, payload FROM journal WHERE type = 'order-filled' AND sequence > ? AND sequence < ? ORDER BY sequence")
      .all(start, end ?? Number.MAX_SAFE_INTEGER) as { sequence: number; payload: string }[];
    const fills: Fill[] = [];
    for (const row of rows) {
      const event = decodeJournalPayload(row.payload, `${journalFile} journal sequence ${row.sequence}`);
      if (event.type === 'order-filled') fills.push(event.fill);
    }
    return fills;
  } finally {
    database?.close();
  }
}
