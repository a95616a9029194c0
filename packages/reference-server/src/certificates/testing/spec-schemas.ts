import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { GatewaySpec } from '../../http/openapi.js';

/**
 * Validators of the spec's component schemas, for asserting that answers match the spec exactly.
 * Not part of the build (`testing/` is excluded).
 */

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('binary', true);
ajv.addSchema({ ...GatewaySpec.load().document, $id: 'spec' });
const compiled = new Map<string, ValidateFunction>();

/**
 * Asserts `value` matches `#/components/schemas/<name>`; returns the value for chaining.
 *
 * @example
 * ```ts
 * const list = expectSchema('CertificateList', await response.json());
 * ```
 */
export function expectSchema<T = unknown>(name: string, value: unknown): T {
  let validate = compiled.get(name);
  if (!validate) {
    validate = ajv.compile({ $ref: `spec#/components/schemas/${name}` });
    compiled.set(name, validate);
  }
  if (!validate(value)) {
    throw new Error(
      `Not a ${name}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`,
    );
  }
  return value as T;
}
