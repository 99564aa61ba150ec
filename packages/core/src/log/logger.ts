/** The logging surface kbot code writes to. Adapt any structured logger (pino, console) to it. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Drops everything: the default in backtests, where a log line per bar would dominate the run. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Keys every log line sets itself; a field of the same name would overwrite them. */
const RESERVED_LOG_KEYS = new Set(['level', 'time', 'message', 'msg']);

/**
 * `fields` with each key a log line sets itself (`level`, `time`, `message`, `msg`) renamed to
 * `field_<key>`: a caller's `time` (a bar's close, say) must not replace the line's timestamp.
 * The same object when there is nothing to rename.
 */
export function withoutReservedLogKeys<T extends Record<string, unknown> | undefined>(fields: T): T {
  if (fields === undefined) return fields;
  let renamed: Record<string, unknown> | undefined;
  for (const key of Object.keys(fields)) {
    if (!RESERVED_LOG_KEYS.has(key)) continue;
    renamed ??= { ...fields };
    delete renamed[key];
    renamed[`field_${key}`] = fields[key];
  }
  return (renamed ?? fields) as T;
}

/** A small JSON-lines logger on stderr, for tools and examples that do not bring their own. */
export function createConsoleLogger(level: LogLevel = 'info', bindings: Record<string, unknown> = {}): Logger {
  const write = (at: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LEVEL_ORDER[at] < LEVEL_ORDER[level]) return;
    process.stderr.write(`${JSON.stringify({ level: at, time: new Date().toISOString(), ...withoutReservedLogKeys(bindings), ...withoutReservedLogKeys(fields), message })}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (more) => createConsoleLogger(level, { ...bindings, ...more }),
  };
}
