// Checks a parsed config value against the schema subset we use. Errors carry the JSON path so
// the CLI can print them and the language server can map them to exact ranges.
import type { SchemaNode } from './schema';

export type ConfigPath = (string | number)[];

export interface SchemaIssue {
  path: ConfigPath;
  code: 'unknown-key' | 'type' | 'range' | 'enum' | 'required' | 'pattern' | 'length';
  message: string;
  /** For unknown keys: the closest allowed key. For ranges: the clamped value. */
  suggestion?: string | number;
}

export function validateAgainstSchema(value: unknown, schema: SchemaNode, path: ConfigPath = []): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const where = path.length ? `\`${formatPath(path)}\`` : 'The config';
  if (schema.anyOf) {
    // The branch of the value's type says what is wrong with it; no branch of that type: a type error naming them all.
    const branch = schema.anyOf.find((b) => matchesType(value, b.type) && (!b.enum || b.enum.includes(value as string)))
      ?? schema.anyOf.find((b) => matchesType(value, b.type) && !b.enum);
    if (branch) return validateAgainstSchema(value, branch, path);
    const kinds = schema.anyOf.map((b) => (b.enum ? b.enum.map((v) => JSON.stringify(v)).join(' or ') : article(b.type)));
    return [{ path, code: 'type', message: `${where} must be ${kinds.join(' or ')}, not ${describe(value)}.` }];
  }
  if (!matchesType(value, schema.type)) {
    issues.push({ path, code: 'type', message: `${where} must be ${article(schema.type)}, not ${describe(value)}.` });
    return issues;
  }
  if (schema.enum && !schema.enum.includes(value as string)) {
    issues.push({ path, code: 'enum', message: `${where} must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}.` });
  }
  if (typeof value === 'number') checkRange(value, schema, path, where, issues);
  if (typeof value === 'string' && schema.maxLength !== undefined && value.length > schema.maxLength) {
    issues.push({ path, code: 'length', message: `${where} is ${value.length} characters long; at most ${schema.maxLength} are allowed.` });
  } else if (typeof value === 'string' && schema.pattern && !new RegExp(schema.pattern).test(value)) {
    issues.push({ path, code: 'pattern', message: `${where} ${JSON.stringify(value)} is not allowed. ${schema.patternErrorMessage ?? `It must match ${schema.pattern}.`}` });
  }
  if (Array.isArray(value)) {
    if ((schema.minItems !== undefined && value.length < schema.minItems) || (schema.maxItems !== undefined && value.length > schema.maxItems)) {
      const n = schema.minItems === schema.maxItems ? `exactly ${schema.minItems}` : `${schema.minItems ?? 0} to ${schema.maxItems ?? 'any'}`;
      issues.push({ path, code: 'length', message: `${where} must have ${n} items, not ${value.length}.` });
    }
    if (schema.items) value.forEach((item, i) => issues.push(...validateAgainstSchema(item, schema.items!, [...path, i])));
  }
  if (schema.type === 'object' && isPlainObject(value)) {
    const props = schema.properties ?? {};
    for (const key of schema.required ?? []) {
      if (!(key in value)) issues.push({ path, code: 'required', message: `${where} is missing the required key \`${key}\`.`, suggestion: key });
    }
    for (const [key, child] of Object.entries(value)) {
      const sub = props[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (sub) issues.push(...validateAgainstSchema(child, sub, [...path, key]));
      else if (schema.additionalProperties === false) issues.push(unknownKey(key, Object.keys(props), [...path, key]));
    }
  }
  return issues;
}

function checkRange(value: number, schema: SchemaNode, path: ConfigPath, where: string, issues: SchemaIssue[]): void {
  const { minimum: min, maximum: max, exclusiveMinimum: exMin } = schema;
  const low = min !== undefined && value < min;
  const exLow = exMin !== undefined && value <= exMin;
  const high = max !== undefined && value > max;
  if (!low && !exLow && !high) return;
  const range = exMin !== undefined ? `greater than ${exMin}${max !== undefined ? ` and at most ${max}` : ''}`
    : max !== undefined ? `between ${min ?? '-∞'} and ${max}` : `at least ${min}`;
  const clamped = high ? max! : min ?? exMin!;
  issues.push({ path, code: 'range', message: `${where} is ${value}; it must be ${range}.`, suggestion: exLow && min === undefined ? undefined : clamped });
}

function unknownKey(key: string, allowed: string[], path: ConfigPath): SchemaIssue {
  const best = closest(key, allowed);
  const hint = best ? ` Did you mean \`${best}\`?` : ` Allowed keys: ${allowed.join(', ')}.`;
  const parent = path.length > 1 ? ` under \`${formatPath(path.slice(0, -1))}\`` : '';
  return { path, code: 'unknown-key', message: `Unknown key \`${key}\`${parent}.${hint}`, suggestion: best };
}

/** The allowed key nearest to `key` by edit distance, if it is plausibly a typo. */
export function closest(key: string, allowed: string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const cand of allowed) {
    const d = editDistance(key.toLowerCase(), cand.toLowerCase());
    if (d < bestDist) { best = cand; bestDist = d; }
  }
  return best !== undefined && bestDist <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

function matchesType(value: unknown, type: SchemaNode['type']): boolean {
  switch (type) {
    case undefined: return true;
    case 'object': return isPlainObject(value);
    case 'array': return Array.isArray(value);
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    default: return typeof value === type;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number' && !Number.isInteger(value)) return `the number ${value}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function article(type: SchemaNode['type']): string {
  switch (type) {
    case 'object': return 'a mapping';
    case 'array': return 'a list';
    case 'integer': return 'a whole number';
    case 'number': return 'a number';
    case 'boolean': return 'true or false';
    default: return `a ${type}`;
  }
}

export function formatPath(path: ConfigPath): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
}

/**
 * Looks up the schema node of a path, e.g. ['tracker', 'max_gap']. A anyOf node is entered by the
 * branch the next key fits: a list index picks the list branch, a key the mapping branch.
 */
export function schemaAt(schema: SchemaNode, path: ConfigPath): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const key of path) {
    if (!node) return undefined;
    if (node.anyOf) node = node.anyOf.find((b) => b.type === (typeof key === 'number' ? 'array' : 'object'));
    if (typeof key === 'number') node = node?.items;
    else node = node?.properties?.[key] ?? (typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined);
  }
  return node;
}
