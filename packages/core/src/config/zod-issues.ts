import type { z } from 'zod';
import type { ConfigIssue } from '../errors/errors.js';

/** Renders a value for an error line: short, and never a whole object. */
export function describeReceived(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return typeof value;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}

/** `a string`, `an array`, `an integer`: zod's type names with the right article. */
function typeName(expected: string): string {
  if (expected === 'int') return 'an integer';
  return `${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
}

/** "a", "b" or "c". */
function listOf(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]!}`;
}

type ZodIssue = z.core.$ZodIssue;

/** Turns zod's issues into kbot's `path: received X, expected Y` lines. */
export function configIssuesFromZod(error: z.ZodError, prefix = ''): ConfigIssue[] {
  return issuesAt(error.issues as readonly ZodIssue[], prefix ? [prefix] : []);
}

function issuesAt(issues: readonly ZodIssue[], base: readonly PropertyKey[]): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    const fullPath = [...base, ...issue.path];
    const path = formatPath(fullPath);
    const received = describeReceived((issue as { input?: unknown }).input);
    switch (issue.code) {
      case 'invalid_type':
        return [{ path, received, expected: typeName(issue.expected) }];
      case 'invalid_value':
        return [{ path, received, expected: `one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}` }];
      case 'too_small':
        return [{ path, received, expected: issue.origin === 'array' ? `at least ${String(issue.minimum)} item(s)` : `${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}` }];
      case 'too_big':
        return [{ path, received, expected: issue.origin === 'array' ? `at most ${String(issue.maximum)} item(s)` : `${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}` }];
      case 'unrecognized_keys': {
        const known = knownKeysOf(issue.message);
        return issue.keys.map((key) => {
          const near = known === undefined ? undefined : nearestKey(key, known);
          return { path: formatPath([...fullPath, key]), received: 'an unknown key', expected: near === undefined ? 'no such key (check the spelling)' : `no such key (did you mean ${JSON.stringify(near)}?)` };
        });
      }
      case 'invalid_key':
        return [{ path, received, expected: issue.issues[0]?.message ?? 'a valid key' }];
      case 'invalid_union': {
        // The value's shape picks one form (an object with that form's keys): its own problems, by their paths.
        const chosen = chosenForm(issue.errors);
        if (chosen !== undefined) return issuesAt(chosen, fullPath);
        return [{ path, received, expected: unionExpectation(issue) }];
      }
      case 'custom':
        return [fieldCheck(issue, fullPath, path)];
      default:
        return [{ path, received, expected: issue.message }];
    }
  });
}

/**
 * The one union option the value was meant as: the only option whose problems all lie inside the
 * value (it had the right type and keys), else the only one whose sole complaint at the value
 * itself is unknown keys. Undefined when the value fits no option, or several equally.
 */
function chosenForm(options: readonly (readonly ZodIssue[])[]): readonly ZodIssue[] | undefined {
  const inside = options.filter((issues) => issues.length > 0 && issues.every((issue) => issue.path.length > 0));
  if (inside.length === 1) return inside[0];
  if (inside.length > 1) return undefined;
  const keysOnly = options.filter((issues) => issues.length > 0 && issues.some((issue) => issue.path.length === 0) && issues.every((issue) => issue.path.length > 0 || issue.code === 'unrecognized_keys'));
  return keysOnly.length === 1 ? keysOnly[0] : undefined;
}

/** The allowed forms: from `configErrorMap` (which sees the schema), else from each option's complaint. */
function unionExpectation(issue: Extract<ZodIssue, { code: 'invalid_union' }>): string {
  const message = issue.message.replace(/^Invalid input:?\s*/i, '');
  if (message) return message;
  const forms = issue.errors.map((issues) => {
    const atRoot = issues.find((inner) => inner.path.length === 0);
    if (atRoot?.code === 'invalid_value') return atRoot.values.map((value) => JSON.stringify(value)).join(', ');
    if (atRoot?.code === 'invalid_type') return typeName(atRoot.expected);
    if (atRoot && atRoot.code !== 'unrecognized_keys' && !/^Invalid input/i.test(atRoot.message)) return atRoot.message;
    return 'an object';
  });
  return listOf([...new Set(forms)]) || 'one of the allowed forms';
}

/**
 * A refinement (`refine`/`superRefine` with a `path`) reports the whole object it checked as its
 * input; the line names the field, so show that field's value, plus the values of the other
 * fields the message names (`fastPeriod below slowPeriod` → `received 30 (slowPeriod 20)`).
 */
function fieldCheck(issue: ZodIssue, fullPath: readonly PropertyKey[], path: string): ConfigIssue {
  const input = (issue as { input?: unknown }).input;
  const located = locateField(input, issue.path);
  if (located === undefined) return { path, received: describeFieldValue(input), expected: issue.message };
  const { parent, key } = located;
  const mentioned = Object.entries(parent)
    .filter(([name, value]) => name !== key && (typeof value === 'number' || typeof value === 'boolean' || value === null) && new RegExp(`\\b${escapeRegExp(name)}\\b`).test(issue.message))
    .map(([name, value]) => `${name} ${String(value)}`);
  const received = `${describeFieldValue(parent[key])}${mentioned.length > 0 ? ` (${mentioned.join(', ')})` : ''}`;
  return { path: formatPath(fullPath), received, expected: issue.message };
}

/** Where the issue's path ends inside the checked object, trying the longest tail of the path first. */
function locateField(input: unknown, path: readonly PropertyKey[]): { parent: Record<string, unknown>; key: string } | undefined {
  if (typeof input !== 'object' || input === null || path.length === 0) return undefined;
  for (let start = 0; start < path.length; start++) {
    let parent: unknown = input;
    const tail = path.slice(start);
    for (const key of tail.slice(0, -1)) parent = typeof parent === 'object' && parent !== null ? (parent as Record<PropertyKey, unknown>)[key] : undefined;
    const key = tail[tail.length - 1]!;
    if (typeof parent === 'object' && parent !== null && typeof key !== 'symbol' && Object.prototype.hasOwnProperty.call(parent, key)) {
      return { parent: parent as Record<string, unknown>, key: String(key) };
    }
  }
  return undefined;
}

/** A field's value: a short list of plain values or a small table of numbers is shown whole; anything else as `describeReceived`. */
function describeFieldValue(value: unknown): string {
  if (Array.isArray(value) && value.length > 0 && value.length <= 6 && value.every((item) => typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean')) {
    const text = `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
    if (text.length <= 100) return text;
  }
  // Numbers and flags only: a string value could be a key someone put in the wrong place.
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value);
    if (entries.length > 0 && entries.length <= 6 && entries.every(([, item]) => typeof item === 'number' || typeof item === 'boolean' || item === null)) {
      const text = `{ ${entries.map(([name, item]) => `${JSON.stringify(name)}: ${String(item)}`).join(', ')} }`;
      if (text.length <= 100) return text;
    }
  }
  return describeReceived(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Pass as `error` when parsing (`schema.safeParse(input, { error: configErrorMap })`): a value that
 * fits none of a union's forms is then reported with the forms listed (`expected "kraken",
 * "instrument" or { maker, taker }`), which only the schema knows.
 */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.inst === undefined) return undefined;
  if (issue.code === 'unrecognized_keys') {
    // The object's own keys, for a "did you mean" (knownKeysOf reads them back).
    const shape = ((issue.inst as z.core.$ZodType)._zod.def as unknown as DefinitionLike).shape;
    return shape === undefined ? undefined : `${KNOWN_KEYS}${JSON.stringify(Object.keys(shape))}`;
  }
  if (issue.code !== 'invalid_union') return undefined;
  const forms = describeForms(issue.inst as z.core.$ZodType);
  return forms.length > 0 ? listOf([...new Set(forms)]) : undefined;
};

/** How configErrorMap hands an unknown key's object's keys to configIssuesFromZod (through the issue's message). */
const KNOWN_KEYS = 'known keys: ';

function knownKeysOf(message: string): readonly string[] | undefined {
  if (!message.startsWith(KNOWN_KEYS)) return undefined;
  try {
    const keys = JSON.parse(message.slice(KNOWN_KEYS.length)) as unknown;
    return Array.isArray(keys) && keys.every((key) => typeof key === 'string') ? keys : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The known key `key` was most likely meant as: the same but for case, else the closest by edit
 * distance within a third of its length (at least 2 edits: `maxPostionQuote`, `dailyLossLimitQuote`
 * → `dailyLossQuote` is 5 of 19). Undefined when none is that close, or two are equally close.
 */
function nearestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = known.filter((candidate) => candidate.toLowerCase() === lower);
  if (sameCase.length === 1) return sameCase[0];
  const limit = Math.max(2, Math.floor(key.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  let tie = false;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance) {
      tie = true;
    }
  }
  return tie ? undefined : best;
}

/** Levenshtein distance (insert, delete, replace one character), one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

interface DefinitionLike {
  readonly type: string;
  readonly options?: readonly z.core.$ZodType[];
  readonly values?: readonly unknown[];
  readonly entries?: Record<string, unknown>;
  readonly shape?: Record<string, z.core.$ZodType>;
  readonly innerType?: z.core.$ZodType;
  readonly in?: z.core.$ZodType;
  readonly checks?: readonly { readonly _zod: { readonly def: { readonly check?: string; readonly error?: (issue: never) => unknown } } }[];
  readonly error?: (issue: never) => unknown;
}

/** Short descriptions of what a schema accepts, one per union option: `"kraken"`, `{ maker, taker }`, `a number`. */
function describeForms(schema: z.core.$ZodType): string[] {
  const description = (schema as { description?: string }).description;
  if (description) return [description];
  const def = schema._zod.def as unknown as DefinitionLike;
  switch (def.type) {
    case 'union':
      return (def.options ?? []).flatMap((option) => describeForms(option));
    case 'literal':
      return (def.values ?? []).map((value) => JSON.stringify(value));
    case 'enum':
      return Object.values(def.entries ?? {}).map((value) => JSON.stringify(value));
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return def.innerType ? describeForms(def.innerType) : [];
    case 'pipe':
      return def.in ? describeForms(def.in) : [];
    case 'object': {
      const keys = Object.entries(def.shape ?? {}).map(([key, value]) => (value._zod.optin === 'optional' ? `${key}?` : key));
      return [`{ ${keys.join(', ')} }`];
    }
    case 'custom':
      return [errorText(def.error) ?? 'a value that passes its check'];
    case 'string': {
      // A pattern's own message says what the string must look like ("an interval such as \"15m\"").
      const check = (def.checks ?? []).find((item) => item._zod.def.check === 'string_format' && item._zod.def.error);
      return [errorText(check?._zod.def.error) ?? 'a string'];
    }
    default:
      return [typeName(def.type)];
  }
}

function errorText(error: ((issue: never) => unknown) | undefined): string | undefined {
  if (error === undefined) return undefined;
  const result = error({ code: 'custom', input: undefined, path: [] } as never);
  const text = typeof result === 'string' ? result : typeof result === 'object' && result !== null ? (result as { message?: unknown }).message : undefined;
  return typeof text === 'string' && text.length > 0 ? text : undefined;
}
