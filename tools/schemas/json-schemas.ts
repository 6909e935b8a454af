/**
 * The JSON Schemas in schemas/, compiled once with ajv (draft 2020-12). The CLI validates encoder
 * input with them, and the tests validate every JSON the CLI writes.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { packagePath } from '../package-root.js';

export type SchemaName = 'encoder-input' | 'section-dump' | 'validation-report';

function schemaPath(name: SchemaName): string {
  return packagePath('schemas', `${name}.schema.json`);
}

const ajv = new Ajv2020({ allErrors: false, strict: true });
const compiled = new Map<SchemaName, ValidateFunction>();

export function validator(name: SchemaName): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    v = ajv.compile(JSON.parse(readFileSync(schemaPath(name), 'utf8')) as object);
    compiled.set(name, v);
  }
  return v;
}

/** First schema error as "path: message", or null when valid. */
export function schemaError(name: SchemaName, value: unknown): string | null {
  const v = validator(name);
  if (v(value)) return null;
  const e: ErrorObject | undefined = v.errors?.[0];
  if (!e) return 'invalid';
  const where = e.instancePath || '/';
  return `${where} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`;
}
