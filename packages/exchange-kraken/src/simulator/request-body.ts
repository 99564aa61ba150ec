/**
 * Kraken request parameters from a query string, a form body or a JSON body (spec §3.1). Form
 * fields with brackets (`close[ordertype]`, `orders[0][volume]`) become nested objects and
 * arrays, the way clients encode them.
 */

export type Params = Record<string, unknown>;

export class BodyError extends Error {}

function setPath(target: Params, path: readonly string[], value: string): void {
  let node: Record<string, unknown> | unknown[] = target;
  path.forEach((segment, index) => {
    const last = index === path.length - 1;
    const nextIsIndex = !last && /^\d+$/.test(path[index + 1]!);
    const key = Array.isArray(node) ? Number(segment) : segment;
    const container = node as Record<string | number, unknown>;
    if (last) {
      container[key] = value;
      return;
    }
    if (typeof container[key] !== 'object' || container[key] === null) container[key] = nextIsIndex ? [] : {};
    node = container[key] as Record<string, unknown> | unknown[];
  });
}

/** `a=1&close[ordertype]=limit&orders[0][type]=buy` → nested params; repeated keys: the last wins. */
export function parseForm(text: string): Params {
  const params: Params = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const match = /^([^[\]]+)((\[[^[\]]*\])+)$/.exec(name);
    if (!match) {
      params[name] = value;
      continue;
    }
    const path = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((part) => part[1]!)];
    setPath(params, path, value);
  }
  return params;
}

/** The parameters of one request: JSON when the content type says so (or the body looks like it), else form. */
export function parseBody(text: string, contentType: string | undefined): Params {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  const json = (contentType ?? '').toLowerCase().includes('application/json') || trimmed.startsWith('{');
  if (!json) return parseForm(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BodyError('body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BodyError('JSON body is not an object');
  return parsed as Params;
}

/**
 * The nonce exactly as the client wrote it. Taken from the raw text, not the parsed value: a
 * JSON nonce can exceed 2^53 and the signature covers its digits.
 */
export function rawNonce(text: string, params: Params): string | undefined {
  const fromJson = /"nonce"\s*:\s*"?(\d+)"?/.exec(text);
  if (fromJson && text.trim().startsWith('{')) return fromJson[1];
  const value = params.nonce;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

/** A comma list parameter (`txid=A,B`) or a JSON array. */
export function listParam(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((item) => String(item).trim()).filter((item) => item !== '');
  if (typeof value === 'string') return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (typeof value === 'number') return [String(value)];
  return [];
}
