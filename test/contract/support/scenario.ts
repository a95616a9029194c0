/**
 * Scenarios: named steps against a started target, through the SDK, each answer checked against the spec by
 * the recorder. A scenario lists the capabilities it needs; a target lacking one skips it with its reason.
 */
import { createMtlsGatewayClient, type MtlsGatewayClient } from '@mtls-gateway/sdk';
import type { ContractFixtures } from './fixtures.js';
import type { ContractRecorder } from './recorder.js';
import type { Capability, ContractEnvironment } from './target.js';

export interface ScenarioContext {
  env: ContractEnvironment;
  recorder: ContractRecorder;
  fixtures: ContractFixtures;
  /** The SDK client of `env.accountId` with `env.token`, sending through the recorder, never retrying. */
  client: MtlsGatewayClient;
  /**
   * Another client through the recorder: another token (`null`: no `Authorization` at all), account or
   * base URL.
   */
  clientWith(options: { token?: string | null; accountId?: string; baseUrl?: string }): MtlsGatewayClient;
  /** Runs `cleanup` after the scenario, pass or fail (last registered first). */
  defer(cleanup: () => Promise<unknown>): void;
}

export interface Scenario {
  name: string;
  requires: Capability[];
  run(context: ScenarioContext): Promise<void>;
}

export interface ScenarioGroup {
  name: string;
  scenarios: Scenario[];
}

/** Declares a scenario (an identity function that keeps scenario files short and typed). */
export function scenario(name: string, requires: Capability[], run: Scenario['run']): Scenario {
  return { name, requires, run };
}

/** A client of the target through the recorder: no retries, so every answer is the one the test sees. */
export function recordedClient(
  env: ContractEnvironment,
  recorder: ContractRecorder,
  options: { token?: string | null; accountId?: string; baseUrl?: string } = {},
): MtlsGatewayClient {
  const token = options.token === undefined ? env.token : options.token;
  return createMtlsGatewayClient({
    baseUrl: options.baseUrl ?? env.baseUrl,
    accountId: options.accountId ?? env.accountId,
    ...(token === null ? {} : { auth: { bearer: token } }),
    fetch: recorder.fetch,
    maxRetries: 0,
    timeoutMs: 30_000,
  });
}
