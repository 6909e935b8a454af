/**
 * The JSON Schemas in schemas/, compiled once with ajv (draft 2020-12). The CLI validates encoder
 * input with them, and the tests validate every JSON the CLI writes.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { packagePath } from '../package-root.js';

export type SchemaName = 'encoder-input' | 'section-dump' | 'validation-report' | 'vector-manifest' | 'conformance-report';

function schemaPath(name: SchemaName): string {
  return packagePath('schemas', `${name}.schema.json`);
}

/** Schemas the others refer to with `$ref`; registered before any is compiled. */
const SHARED = ['layout-id'] as const;

/** A fresh ajv instance that resolves the shared schemas (tests use one with allErrors). */
export function newAjv(options: { allErrors?: boolean } = {}): Ajv2020 {
  const a = new Ajv2020({ allErrors: options.allErrors ?? false, strict: true });
  for (const name of SHARED) a.addSchema(JSON.parse(readFileSync(packagePath('schemas', `${name}.schema.json`), 'utf8')) as object);
  return a;
}

/** Compiles one schema of schemas/ with `ajv`. */
export function compileSchema(ajv: Ajv2020, name: SchemaName): ValidateFunction {
  return ajv.compile(JSON.parse(readFileSync(schemaPath(name), 'utf8')) as object);
}

const ajv = newAjv();
const compiled = new Map<SchemaName, ValidateFunction>();

export function validator(name: SchemaName): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    v = compileSchema(ajv, name);
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
