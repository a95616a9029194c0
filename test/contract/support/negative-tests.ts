/**
 * The negative tests: for every operation, each fault of `mutations.ts` injected into the operation's valid
 * baseline request, with fast-check choosing the faulty values (a bounded number of runs). Every such
 * request must get the documented 400 `invalid_request` naming where the fault is — never a 5xx, never a
 * success — and, like every answer of the suite, match the spec (the recorder checks it).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { ClientP12 } from './fixtures.js';
import { describeMutation, type Mutation, mutationsOf } from './mutations.js';
import { type BaselineMaterial, baselineRequest, cloneParts, toRequest } from './requests.js';
import { specOperations } from './spec.js';
import type { ContractSuite } from './suite.js';

/** fast-check runs per fault (a `missing` fault has one value: it runs once). */
export const RUNS_PER_FAULT = 3;

/** The seed of the value choices: a failure prints its seed and path, so it can be replayed. */
const SEED = Number(process.env.MTLS_CONTRACT_SEED ?? '20261122');

interface ProblemBody {
  code?: string;
  status?: number;
  errors?: Array<{ location?: string; name?: string }>;
}

/** Declares one test per operation: every fault of its inputs answered with 400 `invalid_request`. */
export function defineNegativeTests(suite: ContractSuite): void {
  describe('negative requests generated from the spec', () => {
    let p12: ClientP12 | undefined;
    const material = (): BaselineMaterial => {
      const env = suite.env();
      p12 ??= suite.fixtures().p12();
      return {
        accountId: env.accountId,
        authorization: `Bearer ${env.token}`,
        p12,
        forwardUrl: `${env.upstream?.unreachableUrl ?? 'https://never.contract.invalid/unreachable'}/negative`,
        certificateId: '9007199254740000',
        mappingId: '9007199254740000',
      };
    };

    for (const operation of specOperations) {
      // The operations endpoints take no input.
      if (operation.parameters.length === 0 && operation.requestBody === undefined) continue;
      test(`${operation.operationId}: each input missing, of the wrong type, too long or outside its enum → 400`, async () => {
        const env = suite.env();
        const baseline = baselineRequest(operation, material());
        // A malformed account id is another account: ask with a credential of every account, so the answer
        // is about the fault (400), not about the scope of the credential (403).
        const allAccounts = env.allAccountsToken === undefined ? undefined : `Bearer ${env.allAccountsToken}`;
        const mutations = mutationsOf(operation, baseline);
        expect(mutations.length, 'the spec gives this operation inputs to vary').toBeGreaterThan(0);
        const failures: string[] = [];
        for (const mutation of mutations) {
          try {
            await fc.assert(
              fc.asyncProperty(mutation.values, async (value) => {
                const parts = cloneParts(baseline);
                mutation.slot.apply(parts, value);
                if (allAccounts && isAccountId(mutation) && operation.permission)
                  parts.headers.Authorization = allAccounts;
                const response = await suite.recorder().fetch(toRequest(parts, env.baseUrl));
                await expectInvalidRequest(
                  response,
                  mutation,
                  operation.method === 'HEAD',
                  allAccounts === undefined,
                );
              }),
              { numRuns: mutation.kind === 'missing' ? 1 : RUNS_PER_FAULT, seed: SEED, endOnFailure: true },
            );
          } catch (error) {
            const cause = (error as { cause?: unknown }).cause;
            // The assertion's message starts with the fault and the answer; fast-check's adds the replay seed.
            failures.push(String((cause as Error | undefined)?.message ?? error).split('\n')[0] ?? '');
          }
        }
        expect(failures, 'faults not answered with 400 invalid_request').toEqual([]);
      });
    }
  });
}

function isAccountId(mutation: Mutation): boolean {
  return mutation.slot.location === 'path' && mutation.slot.name === 'accountId';
}

/**
 * Without a credential of every account, a faulty account id is another account: a credential scoped to the
 * test account may be refused for it first (403 `forbidden`, documented for every secured operation).
 */
function isOtherAccount(mutation: Mutation, response: Response, lenient: boolean): boolean {
  return (
    lenient &&
    isAccountId(mutation) &&
    response.status === 403 &&
    response.headers.get('LP-gateway-error') === 'forbidden'
  );
}

async function expectInvalidRequest(
  response: Response,
  mutation: Mutation,
  head: boolean,
  lenient: boolean,
): Promise<void> {
  const text = await response.text();
  const label = `${describeMutation(mutation)} → ${response.status} ${text.slice(0, 400)}`;
  if (isOtherAccount(mutation, response, lenient)) return;
  expect(response.status, label).toBe(400);
  expect(response.headers.get('LP-gateway-error'), label).toBe('invalid_request');
  if (head) return;
  const problem = JSON.parse(text) as ProblemBody;
  expect(problem.code, label).toBe('invalid_request');
  const locations = (problem.errors ?? []).map((error) => error.location);
  expect(locations, `${label}\nthe problem's errors must name the ${mutation.slot.location}`).toContain(
    mutation.slot.location,
  );
  if (mutation.slot.location !== 'body') {
    const names = (problem.errors ?? []).map((error) => error.name?.toLowerCase());
    expect(names, label).toContain(mutation.slot.name.toLowerCase());
  }
}
