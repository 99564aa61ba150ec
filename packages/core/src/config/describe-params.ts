import { z } from 'zod';

export interface ParamDescription {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly default: unknown;
  readonly constraints: string;
}

/**
 * Lists a strategy's parameters from its zod params schema (name, type, default, bounds), for
 * `kbot strategies` and docs. A schema that is not a zod object gives an empty list.
 */
export function describeParams(schema: unknown): ParamDescription[] {
  // Any zod 4 schema, even from another copy of zod than core's (it carries `_zod`).
  if (typeof schema !== 'object' || schema === null || !('_zod' in schema)) return [];
  const json = z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  const required = new Set(json.required ?? []);
  const shape = (schema as { shape?: Record<string, { _zod?: { def?: { type?: string; defaultValue?: unknown } } }> }).shape ?? {};
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    // zod's JSON Schema leaves out the default of a field whose input and output differ (a
    // transform inside, such as amounts kept as text): read it from the field itself then.
    const def = shape[name]?._zod?.def;
    const fallbackDefault = property.default === undefined && def?.type === 'default' ? def.defaultValue : undefined;
    const bounds: string[] = [];
    if (typeof property.minimum === 'number') bounds.push(`≥ ${property.minimum}`);
    if (typeof property.exclusiveMinimum === 'number') bounds.push(`> ${property.exclusiveMinimum}`);
    if (typeof property.maximum === 'number' && property.maximum < Number.MAX_SAFE_INTEGER) bounds.push(`≤ ${property.maximum}`);
    if (Array.isArray(property.enum)) bounds.push(`one of ${property.enum.map((value) => JSON.stringify(value)).join(', ')}`);
    const type = Array.isArray(property.anyOf) ? 'union' : typeof property.type === 'string' ? property.type : 'any';
    return { name, type, required: required.has(name), default: property.default ?? fallbackDefault, constraints: bounds.join(', ') };
  });
}
