import { schemaValidators } from '@mtls-gateway/contract/validation';
import { GatewaySpec } from '../../http/openapi.js';

/**
 * Validators of the spec's component schemas (the contract's, every error listed), for asserting that answers
 * match the spec exactly. Not part of the build (`testing/` is excluded).
 */

/**
 * Asserts `value` matches `#/components/schemas/<name>`; returns the value for chaining.
 *
 * @example
 * ```ts
 * const list = expectSchema('CertificateList', await response.json());
 * ```
 */
export function expectSchema<T = unknown>(name: string, value: unknown): T {
  const validate = schemaValidators(GatewaySpec.load().document).component(name, { allErrors: true });
  if (!validate(value)) {
    throw new Error(
      `Not a ${name}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`,
    );
  }
  return value as T;
}
