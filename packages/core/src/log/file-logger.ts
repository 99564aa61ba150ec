import { basename, dirname } from 'node:path';
import { pino, type Logger as PinoLogger } from 'pino';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import type { Secret } from '../config/secret.js';
import { withoutReservedLogKeys, type Logger, type LogLevel } from './logger.js';
import { REDACTED, scrubSecretValues, secretRedactPaths } from './redaction.js';

/** When the log file is rotated: past a size, at an interval, or both; `keep` rotated files stay. */
export interface LogRotation {
  /** `10M`, `500K`, `1G`, `300B`: rotate when the file grows past it. */
  readonly size?: string | undefined;
  /** `1d` (daily, at local midnight), `12h`, `30m`: rotate on this schedule. */
  readonly interval?: string | undefined;
  /** How many rotated files to keep (`kbot.log.1` newest ... `kbot.log.<keep>` oldest). */
  readonly keep: number;
}

/** Where a line goes besides the file: something with `write(text)`, such as process.stderr. */
export interface LogSink {
  write(text: string): unknown;
}

export interface CreateFileLoggerOptions {
  readonly level: LogLevel | 'silent';
  /** JSON-lines log file; undefined for console output only. */
  readonly file?: string | undefined;
  readonly rotate?: LogRotation;
  /** The human-facing copy of each line; default process.stderr, `false` for none. */
  readonly console?: LogSink | false;
  /** Fields on every line (bot name, mode). */
  readonly bindings?: Record<string, unknown>;
  /** Credential values to censor wherever they appear in a line, field names aside. */
  readonly secrets?: readonly Secret[];
}

/** A Logger that owns a file: `close()` flushes the last lines and releases the file. */
export interface FileLogger extends Logger {
  /** The JSON-lines file, or undefined when logging to the console only. */
  readonly file: string | undefined;
  /** Writes what is pending and closes the file; lines logged afterwards reach only the console. */
  close(): Promise<void>;
}

/**
 * The logger for paper and live runs: pino writing one JSON object per line to a rotating file
 * (rotating-file-stream, `kbot.log` → `kbot.log.1` ... like logrotate), and the same line to the
 * console. Fields whose names look like credentials (SECRET_FIELD_NAMES) are censored by pino's
 * `redact`, and known credential values are censored wherever they appear.
 */
export function createFileLogger(options: CreateFileLoggerOptions): FileLogger {
  const consoleSink = options.console === undefined ? process.stderr : options.console;
  const secrets = options.secrets ?? [];
  let fileStream: RotatingFileStream | undefined;
  let fileOpen = false;
  let closing: Promise<void> | undefined;

  if (options.file !== undefined && options.level !== 'silent') {
    const rotate = options.rotate ?? { keep: 10 };
    fileStream = createStream(basename(options.file), {
      path: dirname(options.file),
      rotate: rotate.keep,
      mode: 0o600,
      ...(rotate.size === undefined ? {} : { size: rotate.size }),
      ...(rotate.interval === undefined ? {} : { interval: rotate.interval }),
    });
    fileOpen = true;
    // A full disk or a removed folder must not take the bot down with it: say so on the console once.
    fileStream.on('error', (error: Error) => {
      fileOpen = false;
      if (consoleSink) consoleSink.write(`${JSON.stringify({ level: 'error', time: new Date().toISOString(), message: 'log file failed; logging to the console only', file: options.file, error: error.message })}\n`);
    });
  }

  const streams: { level: 'trace'; stream: LogSink }[] = [];
  if (fileStream) streams.push({ level: 'trace', stream: { write: (line: string) => (fileOpen ? fileStream!.write(line) : true) } });
  if (consoleSink) streams.push({ level: 'trace', stream: consoleSink });

  const destination = streams.length === 0 ? { write: () => true } : streams.length === 1 ? streams[0]!.stream : pino.multistream(streams);
  const base = pino(
    {
      level: options.level,
      messageKey: 'message',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        ...(secrets.length === 0 ? {} : { log: (object: Record<string, unknown>) => scrubSecretValues(object, secrets) }),
      },
      redact: { paths: secretRedactPaths(), censor: REDACTED },
      ...(secrets.length === 0
        ? {}
        : {
          hooks: {
            logMethod(this: PinoLogger, args: Parameters<PinoLogger['info']>, method: (...args: unknown[]) => void) {
              method.apply(this, (args as unknown[]).map((arg) => (typeof arg === 'string' ? scrubSecretValues(arg, secrets) : arg)));
            },
          },
        }),
    },
    destination,
  );
  const root = options.bindings && Object.keys(options.bindings).length > 0 ? base.child(scrubSecretValues(options.bindings, secrets)) : base;

  return Object.freeze({
    ...adapt(root),
    file: options.file,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        if (!fileStream || !fileOpen) return resolve();
        fileStream.once('error', () => resolve());
        fileStream.end(() => resolve());
        fileOpen = false;
      });
      return closing;
    },
  });
}

/** pino takes (fields, message); kbot's Logger takes (message, fields). */
function adapt(logger: PinoLogger): Logger {
  return {
    debug: (message, fields) => (fields ? logger.debug(withoutReservedLogKeys(fields), message) : logger.debug(message)),
    info: (message, fields) => (fields ? logger.info(withoutReservedLogKeys(fields), message) : logger.info(message)),
    warn: (message, fields) => (fields ? logger.warn(withoutReservedLogKeys(fields), message) : logger.warn(message)),
    error: (message, fields) => (fields ? logger.error(withoutReservedLogKeys(fields), message) : logger.error(message)),
    child: (bindings) => adapt(logger.child(withoutReservedLogKeys(bindings))),
  };
}
