import type { LogLevel, Logger } from '../log/logger.js';

/** One line a RecordingLogger took. */
export interface RecordedLogLine {
  readonly level: LogLevel;
  readonly message: string;
  /** The call's fields merged over the bindings of the `child()` that logged it; undefined when neither has any. */
  readonly fields: Readonly<Record<string, unknown>> | undefined;
}

/**
 * A Logger for tests: keeps every line, from itself and from every `child()` made from it, in one
 * list, in order, so a test can assert what a component told the operator (a warning, once).
 */
export class RecordingLogger implements Logger {
  readonly lines: RecordedLogLine[];
  readonly #bindings: Readonly<Record<string, unknown>> | undefined;

  constructor(lines: RecordedLogLine[] = [], bindings?: Readonly<Record<string, unknown>>) {
    this.lines = lines;
    this.#bindings = bindings;
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.#record('debug', message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.#record('info', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.#record('warn', message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.#record('error', message, fields);
  }

  /** A logger recording into the same list, with `bindings` added to each of its lines' fields. */
  child(bindings: Record<string, unknown>): RecordingLogger {
    return new RecordingLogger(this.lines, { ...this.#bindings, ...bindings });
  }

  /** The lines at `level`, in order. */
  at(level: LogLevel): RecordedLogLine[] {
    return this.lines.filter((line) => line.level === level);
  }

  /** The messages of the lines at `level`, in order. */
  messages(level: LogLevel): string[] {
    return this.at(level).map((line) => line.message);
  }

  #record(level: LogLevel, message: string, fields: Record<string, unknown> | undefined): void {
    const merged = this.#bindings === undefined ? fields : { ...this.#bindings, ...fields };
    this.lines.push({ level, message, fields: merged });
  }
}
