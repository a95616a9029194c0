/**
 * Scenarios: make an operation slow, fail, or answer something else, from a test (`state.scenarios`), from
 * the browser's devtools (`window.__mtlsMock.scenarios`) or per request (`?__mock_scenario=…` or the
 * `X-Mock-Scenario` header).
 */
import { isProblemCode, type ProblemCode, problemKind } from '@mtls-gateway/contract';
import type { OperationId } from './spec.js';

/**
 * What an operation should do instead of (or before) its normal answer. Fields combine: `delayMs` delays
 * whatever comes next; then the first of `networkError`, `transportFailure`, `status`, `response` that is set
 * decides the answer. With only `delayMs`, the operation answers normally, late.
 *
 * @example
 * ```ts
 * const slowFailure: MockScenario = { delayMs: 2_000, status: 503 };
 * const conflict: MockScenario = { status: 409, code: 'name_conflict', detail: 'Taken.', times: 1 };
 * ```
 */
export interface MockScenario {
  /** Wait this long before answering. */
  delayMs?: number;
  /** Fail at the network level (`HttpResponse.error()`): `fetch` rejects with a `TypeError`. */
  networkError?: boolean;
  /** Answer 424 `transport_failure` with `LP-message-from-transport` / `LP-error-from-transport`. */
  transportFailure?: boolean | { message?: string; error?: string };
  /** Answer this status (400–599) as a problem of the gateway (`LP-gateway-error`). */
  status?: number;
  /** Problem code for `status` (default: the gateway's code for that status, e.g. 503 → `unavailable`). */
  code?: ProblemCode;
  /** Problem detail. */
  detail?: string;
  /** Answer with this instead (any status, headers and body). */
  response?: (request: Request) => Response | Promise<Response>;
  /** Apply to the next `times` requests only, then remove itself. Default: until cleared. */
  times?: number;
}

/**
 * `*` applies to every operation that has no scenario of its own.
 *
 * @example
 * ```ts
 * const everywhere: ScenarioTarget = '*';
 * ```
 */
export type ScenarioTarget = OperationId | '*';

/**
 * Thrown by {@link parseScenarioFlag} and {@link ScenarioRegistry.set} for a malformed scenario.
 *
 * @example
 * ```ts
 * expect(() => parseScenarioFlag('explode')).toThrow(InvalidScenarioError);
 * ```
 */
export class InvalidScenarioError extends Error {
  override readonly name = 'InvalidScenarioError';
  readonly code = 'mock_invalid_scenario';
}

function checkScenario(scenario: MockScenario): void {
  if (
    scenario.status !== undefined &&
    !(Number.isInteger(scenario.status) && scenario.status >= 400 && scenario.status <= 599)
  ) {
    throw new InvalidScenarioError(
      `A scenario status must be an integer from 400 to 599, not ${String(scenario.status)}; use \`response\` for other answers.`,
    );
  }
  if (scenario.delayMs !== undefined && !(Number.isFinite(scenario.delayMs) && scenario.delayMs >= 0)) {
    throw new InvalidScenarioError(`delayMs must be a non-negative number, not ${String(scenario.delayMs)}.`);
  }
  if (scenario.times !== undefined && !(Number.isInteger(scenario.times) && scenario.times >= 1)) {
    throw new InvalidScenarioError(`times must be a positive integer, not ${String(scenario.times)}.`);
  }
}

/**
 * The scenarios in force, per operation.
 *
 * @example
 * ```ts
 * state.scenarios.set('listCertificates', { status: 503 });
 * state.scenarios.once('createCertificates', { networkError: true });
 * state.scenarios.set('*', { delayMs: 300 });
 * state.scenarios.clear();
 * ```
 */
export class ScenarioRegistry {
  readonly #scenarios = new Map<ScenarioTarget, MockScenario & { remaining?: number }>();

  /** Makes `target` follow `scenario` until cleared (or for `scenario.times` requests). */
  set(target: ScenarioTarget, scenario: MockScenario): void {
    checkScenario(scenario);
    this.#scenarios.set(target, {
      ...scenario,
      ...(scenario.times === undefined ? {} : { remaining: scenario.times }),
    });
  }

  /** Makes the next request of `target` follow `scenario`, once. */
  once(target: ScenarioTarget, scenario: MockScenario): void {
    this.set(target, { ...scenario, times: 1 });
  }

  /** Removes the scenario of `target`, or every scenario. */
  clear(target?: ScenarioTarget): void {
    if (target === undefined) this.#scenarios.clear();
    else this.#scenarios.delete(target);
  }

  /** The scenarios in force. */
  list(): Array<{ target: ScenarioTarget; scenario: MockScenario }> {
    return [...this.#scenarios.entries()].map(([target, scenario]) => ({ target, scenario }));
  }

  /** The scenario for one request of `operationId` (its own, else `*`), counting it as used. */
  take(operationId: OperationId): MockScenario | undefined {
    const target: ScenarioTarget | undefined = this.#scenarios.has(operationId)
      ? operationId
      : this.#scenarios.has('*')
        ? '*'
        : undefined;
    if (target === undefined) return undefined;
    const scenario = this.#scenarios.get(target);
    if (scenario?.remaining !== undefined) {
      scenario.remaining -= 1;
      if (scenario.remaining <= 0) this.#scenarios.delete(target);
    }
    return scenario;
  }
}

/**
 * Reads the per-request scenario syntax of `?__mock_scenario=` and `X-Mock-Scenario`: comma-separated
 * tokens, e.g. `503`, `status:503`, `problem:name_conflict`, `delay:1500`, `network-error`,
 * `transport-failure`, `transport-failure:ETIMEDOUT`, `delay:500,503`.
 *
 * @throws {InvalidScenarioError} for an unknown token.
 * @example
 * ```ts
 * parseScenarioFlag('delay:500,problem:mapping_conflict'); // { delayMs: 500, code: 'mapping_conflict', status: 409 }
 * ```
 */
export function parseScenarioFlag(flag: string): MockScenario {
  const scenario: MockScenario = {};
  for (const token of flag
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [kind = '', ...rest] = token.split(':');
    const value = rest.join(':');
    if (/^\d{3}$/.test(token)) scenario.status = Number(token);
    else if (kind === 'status' && /^\d{3}$/.test(value)) scenario.status = Number(value);
    else if (kind === 'delay' && /^\d+$/.test(value)) scenario.delayMs = Number(value);
    else if (kind === 'network-error' && value === '') scenario.networkError = true;
    else if (kind === 'transport-failure') scenario.transportFailure = value === '' ? true : { error: value };
    else if (kind === 'problem' && isProblemCode(value)) {
      scenario.code = value;
      scenario.status ??= problemKind(value).status;
    } else {
      throw new InvalidScenarioError(
        `Unknown scenario "${token}". Use <status>, status:<n>, problem:<code> (a problem code of the spec), delay:<ms>, network-error or transport-failure[:<ERROR>].`,
      );
    }
  }
  checkScenario(scenario);
  return scenario;
}
