const KBOT_ERROR = Symbol.for('kbot.error');

/**
 * Base of every error kbot throws on purpose. `code` is stable (scripts and tests match on it);
 * the marker symbol makes `isKbotError` work across duplicate installs of @kbot/core.
 */
export class KbotError extends Error {
  readonly [KBOT_ERROR] = true;
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export function isKbotError(value: unknown): value is KbotError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[KBOT_ERROR] === true;
}

/** One problem in a config: where, what was found, what was expected. */
export interface ConfigIssue {
  readonly path: string;
  readonly received: string;
  readonly expected: string;
}

export function formatConfigIssue(issue: ConfigIssue): string {
  return `${issue.path || '(root)'}: received ${issue.received}, expected ${issue.expected}`;
}

/** A config or flag that cannot be used. Lists every problem, not just the first. */
export class ConfigError extends KbotError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], source?: string) {
    const head = source ? `invalid config ${source}` : 'invalid config';
    super('config-invalid', `${head}:\n${issues.map((issue) => `  ${formatConfigIssue(issue)}`).join('\n')}`);
    this.issues = issues;
  }
}

/** A data file that cannot be read as promised: names the file, line and problem. */
export class DataError extends KbotError {
  readonly file: string;
  readonly line: number | undefined;

  constructor(file: string, line: number | undefined, problem: string, options?: { cause?: unknown }) {
    super('data-invalid', line === undefined ? `${file}: ${problem}` : `${file}:${line}: ${problem}`, options);
    this.file = file;
    this.line = line;
  }
}

export type ExchangeErrorKind =
  | 'authentication'
  | 'permission'
  | 'insufficient-funds'
  | 'invalid-order'
  | 'order-not-found'
  | 'rate-limited'
  | 'invalid-nonce'
  | 'unavailable'
  | 'network'
  | 'bad-response'
  | 'unknown';

/** A failure reported by (or while talking to) a venue, classified so callers can decide to retry. */
export class ExchangeError extends KbotError {
  readonly kind: ExchangeErrorKind;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** The venue's own error text, verbatim (e.g. `EOrder:Insufficient funds`). */
  readonly venueMessage: string | undefined;

  constructor(
    kind: ExchangeErrorKind,
    message: string,
    options: { retryable?: boolean; retryAfterMs?: number; venueMessage?: string; cause?: unknown } = {},
  ) {
    super(`exchange-${kind}`, message, { cause: options.cause });
    this.kind = kind;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.venueMessage = options.venueMessage;
  }
}

/** A broken invariant: a bug or corrupted input that must stop the current operation. */
export class InvariantError extends KbotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invariant-violated', message, options);
  }
}
