import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret value (API key, passphrase) that cannot leak by accident: printing, logging,
 * JSON-serializing or inspecting it shows `[redacted]`. Only `reveal()` gives the value.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Reads a secret from the environment; undefined when unset or empty. */
export function secretFromEnv(name: string, env: Readonly<Record<string, string | undefined>> = process.env): Secret | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : new Secret(value.trim());
}

/** Replaces every occurrence of the given secrets in a text (log lines, error messages). */
export function redact(text: string, secrets: readonly (Secret | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    const value = secret?.reveal();
    if (value && value.length >= 4) result = result.split(value).join(REDACTED);
  }
  return result;
}
