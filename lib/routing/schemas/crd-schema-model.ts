/**
 * Validation of objects whose kinds are CustomResourceDefinitions with no published TypeScript
 * model (SMI TrafficSplit, Flagger Canary): the CRD's OpenAPI v3 schema, checked with ajv the way
 * the API server checks it under `kubectl apply --validate=strict`.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';

/** A schema-backed model in the shape `registerSchema` takes: construct with the object, then `validate()`. */
export type CrdSchemaModel = new (data: unknown) => { validate(): void };

/** The error `validate()` throws: ajv's errors, the first of which `validateObject` reports. */
export class CrdSchemaError extends Error {
  /** ajv's errors (`instancePath`, `message`). */
  readonly errors: readonly ErrorObject[];
  constructor(errors: readonly ErrorObject[]) {
    // A failed oneOf/anyOf also lists why each branch failed; the failed choice itself says more.
    const inBranch = (e: ErrorObject) => /\/(oneOf|anyOf)\/\d+\//.test(e.schemaPath);
    errors = [...errors.filter((e) => !inBranch(e)), ...errors.filter(inBranch)];
    const first = errors[0];
    super(first ? `${first.instancePath || '/'} ${first.message ?? 'is invalid'}` : 'is invalid');
    this.name = 'CrdSchemaError';
    this.errors = errors;
  }
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

function newAjv(): Ajv {
  // Not strict: CRD schemas carry Kubernetes keywords (x-kubernetes-*) ajv does not know.
  const ajv = new Ajv({ strict: false, allErrors: false });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= INT32.min && n <= INT32.max });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('string', () => true);
  ajv.addFormat('url', (s: string) => URL.canParse(s));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  return ajv;
}

/**
 * A CRD's structural schema as JSON Schema: `x-kubernetes-int-or-string` becomes "integer or
 * string", and every object that lists its properties (and neither allows other properties nor
 * preserves unknown fields) rejects fields it does not list — the API server's strict field
 * validation.
 */
export function strictCrdSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictCrdSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const source = schema as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    result[key] = key === 'properties' ? mapValues(value as Record<string, unknown>, strictCrdSchema) : strictCrdSchema(value);
  }
  if (source['x-kubernetes-int-or-string'] === true) result.anyOf = [{ type: 'integer' }, { type: 'string' }];
  if (
    source.properties !== undefined &&
    source.additionalProperties === undefined &&
    source['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    result.additionalProperties = false;
  }
  return result;
}

function mapValues(record: Record<string, unknown>, f: (value: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

/** A model class validating against `openApiV3Schema` (a CRD version's `schema.openAPIV3Schema`). */
export function crdSchemaModel(openApiV3Schema: unknown): CrdSchemaModel {
  let validate: ValidateFunction | undefined;
  return class {
    private readonly data: unknown;
    constructor(data: unknown) {
      this.data = data;
    }
    validate(): void {
      // Compiled on first use, so loading a schema costs nothing for plans that never render its kind.
      validate ??= newAjv().compile(strictCrdSchema(openApiV3Schema) as object);
      if (!validate(this.data)) throw new CrdSchemaError(validate.errors ?? []);
    }
  };
}
