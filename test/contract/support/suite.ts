/**
 * `defineContractSuite(target)`: starts the target once, runs every scenario group against it (each in its
 * own `describe`, so failures name the target and the scenario), and fails any test whose answers are off
 * the spec.
 */
import { afterAll, afterEach, beforeAll, describe, test } from 'vitest';
import { allScenarioGroups } from '../scenarios/index.js';
import { type ContractFixtures, createFixtures } from './fixtures.js';
import { ContractRecorder } from './recorder.js';
import { recordedClient, type ScenarioContext, type ScenarioGroup } from './scenario.js';
import { type ContractEnvironment, deploymentMode, type Target } from './target.js';

/** What a test file gets back, to add tests of its own against the same started target. */
export interface ContractSuite {
  /** The target's name. */
  name: string;
  /** The started environment (inside tests and hooks only). */
  env(): ContractEnvironment;
  recorder(): ContractRecorder;
  fixtures(): ContractFixtures;
}

export interface ContractSuiteOptions {
  /** Scenario groups to run (default: all). */
  groups?: readonly ScenarioGroup[];
  /** More tests against the same target, declared inside the target's `describe`. */
  extend?: (suite: ContractSuite) => void;
}

/**
 * Declares the contract suite of one target.
 *
 * @example
 * ```ts
 * defineContractSuite(mswMockTarget());
 * ```
 */
export function defineContractSuite(target: Target, options: ContractSuiteOptions = {}): ContractSuite {
  let env: ContractEnvironment | undefined;
  let recorder: ContractRecorder | undefined;
  let fixtures: ContractFixtures | undefined;
  const suite: ContractSuite = {
    name: target.name,
    env: () => env ?? fail('the target did not start'),
    recorder: () => recorder ?? fail('the target did not start'),
    fixtures: () => fixtures ?? fail('the target did not start'),
  };

  describe(target.name, () => {
    beforeAll(async () => {
      fixtures = createFixtures();
      env = await target.start();
      recorder = new ContractRecorder({ baseUrl: env.baseUrl, fetch: env.fetch, extraCheck: env.extraCheck });
    }, 180_000);
    afterAll(async () => {
      await target.stop();
    }, 60_000);
    afterEach(() => {
      const violations = recorder?.takeViolations() ?? [];
      if (violations.length > 0) {
        throw new Error(
          `${target.name} answered off the spec (${violations.length}):\n  ${violations.join('\n  ')}`,
        );
      }
    });

    for (const group of options.groups ?? allScenarioGroups) {
      describe(group.name, () => {
        for (const scenario of group.scenarios) {
          test(scenario.name, async (testContext) => {
            const started = suite.env();
            const skipReason =
              started.skipScenarios?.[scenario.name] ??
              scenario.requires.map((capability) => started.unsupported[capability]).find(Boolean);
            if (skipReason) {
              testContext.skip(`${target.name}: ${skipReason}`);
              return;
            }
            const cleanups: Array<() => Promise<unknown>> = [];
            const context: ScenarioContext = {
              env: started,
              recorder: suite.recorder(),
              fixtures: suite.fixtures(),
              client: recordedClient(started, suite.recorder()),
              clientWith: (clientOptions) => recordedClient(started, suite.recorder(), clientOptions),
              defer: (cleanup) => cleanups.unshift(cleanup),
            };
            try {
              await scenario.run(context);
            } finally {
              for (const cleanup of cleanups) await cleanup().catch(() => undefined);
            }
          });
        }
      });
    }
    options.extend?.(suite);
  });
  return suite;
}

/**
 * Declares the suite of a target the test starts itself — skipped (with its name) when the run is against a
 * deployment (`MTLS_CONTRACT_BASE_URL`), which then is the only target.
 *
 * @example
 * ```ts
 * defineLocalContractSuite('MSW mock (in-process)', () => mswMockTarget());
 * ```
 */
export function defineLocalContractSuite(
  name: string,
  makeTarget: () => Target,
  options: ContractSuiteOptions = {},
): ContractSuite | undefined {
  if (deploymentMode) {
    describe.skip(name, () => {
      test('not run: MTLS_CONTRACT_BASE_URL names the only target', () => {});
    });
    return undefined;
  }
  return defineContractSuite(makeTarget(), options);
}

function fail(message: string): never {
  throw new Error(message);
}
