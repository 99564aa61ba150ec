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

/** Turns zod's issues into kbot's `path: received X, expected Y` lines. */
export function configIssuesFromZod(error: z.ZodError, prefix = ''): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    const path = formatPath([...(prefix ? [prefix] : []), ...issue.path]);
    const received = describeReceived((issue as { input?: unknown }).input);
    switch (issue.code) {
      case 'invalid_type':
        return [{ path, received, expected: issue.expected === 'int' ? 'an integer' : `a ${issue.expected}` }];
      case 'invalid_value':
        return [{ path, received, expected: `one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}` }];
      case 'too_small':
        return [{ path, received, expected: issue.origin === 'array' ? `at least ${String(issue.minimum)} item(s)` : `${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}` }];
      case 'too_big':
        return [{ path, received, expected: issue.origin === 'array' ? `at most ${String(issue.maximum)} item(s)` : `${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}` }];
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({ path: formatPath([...(prefix ? [prefix] : []), ...issue.path, key]), received: 'an unknown key', expected: 'no such key (check the spelling)' }));
      case 'invalid_key':
        return [{ path, received, expected: issue.issues[0]?.message ?? 'a valid key' }];
      case 'invalid_union':
        return [{ path, received, expected: issue.message.replace(/^Invalid input:?\s*/i, '') || 'one of the allowed forms' }];
      default:
        return [{ path, received, expected: issue.message }];
    }
  });
}
