/**
 * Choosing operations by the spec's operationIds: which ones the handlers mock (the rest pass through to the
 * network) and which ones a coverage report covers.
 */
import { OPERATION_IDS, type OperationId } from './spec.js';

/**
 * Some operations of the spec: the listed ones, or every one `except` the listed ones. Typed with the
 * spec's {@link OperationId} union, so an unknown operationId does not compile.
 *
 * @example
 * ```ts
 * const readOnly: OperationSelection = ['listCertificates', 'getCertificate', 'listMappings'];
 * const allButForwarding: OperationSelection = { except: ['forwardGet', 'forwardPost'] };
 * ```
 */
export type OperationSelection = readonly OperationId[] | { readonly except: readonly OperationId[] };

/**
 * The operationIds a selection names, in the spec's order; every operation when `selection` is undefined.
 *
 * @throws {TypeError} for an operationId the spec does not have (from untyped callers) or a malformed
 * selection.
 * @example
 * ```ts
 * selectOperations({ except: ['forwardGet'] }).has('forwardGet'); // false
 * ```
 */
export function selectOperations(
  selection: OperationSelection | undefined,
  option = 'operations',
): Set<OperationId> {
  if (selection === undefined) return new Set(OPERATION_IDS);
  const except = !Array.isArray(selection);
  const listed: unknown = except ? (selection as { except?: unknown }).except : selection;
  if (!Array.isArray(listed)) {
    throw new TypeError(`${option} must be an array of operationIds or { except: [operationIds] }.`);
  }
  const known = new Set<string>(OPERATION_IDS);
  const unknown = listed.filter((id) => typeof id !== 'string' || !known.has(id));
  if (unknown.length > 0) {
    throw new TypeError(
      `${option} names ${unknown.map((id) => JSON.stringify(id)).join(', ')}, not an operationId of the spec. Use one of OPERATION_IDS: ${OPERATION_IDS.join(', ')}.`,
    );
  }
  const named = new Set(listed as OperationId[]);
  return new Set(OPERATION_IDS.filter((id) => named.has(id) !== except));
}
