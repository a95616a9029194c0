/**
 * Access and limits, swept over every operation with the requests generated from the spec: no credential →
 * 401, a wrong one → 401, a read-only token writing → 403, another account → 403, over the rate limit → 429,
 * a body of the wrong media type → 415, a body over the limit → 413.
 */
import { expect } from 'vitest';
import { type BaselineMaterial, baselineRequest, toRequest } from '../support/requests.js';
import { type ScenarioContext, type ScenarioGroup, scenario } from '../support/scenario.js';
import { type SpecOperation, specOperations } from '../support/spec.js';
import { expectProblem, expectProblemResponse, neverCalledUrl, UNKNOWN_ID } from './helpers.js';

/** Operations the reference server never rate limits (orchestrators probe liveness): see README. */
export const RATE_LIMIT_EXEMPT_OPERATIONS: ReadonlySet<string> = new Set(['getHealth']);

const secured = specOperations.filter((candidate) => candidate.permission !== undefined);
/** Secured operations of one account (`{accountId}` in the path): another account's credential is refused. */
const accountScoped = secured.filter((candidate) => candidate.pathTemplate.includes('{accountId}'));
const writes = secured.filter((candidate) => candidate.permission === 'MTLS_WRITE_INTERNAL');

function material(
  context: ScenarioContext,
  authorization: string | undefined,
  accountId = context.env.accountId,
): BaselineMaterial {
  return {
    accountId,
    authorization,
    p12: context.fixtures.p12(),
    forwardUrl: neverCalledUrl(context, '/sweep'),
    certificateId: String(UNKNOWN_ID),
    mappingId: String(UNKNOWN_ID),
  };
}

async function send(context: ScenarioContext, request: Request): Promise<Response> {
  return context.recorder.fetch(request);
}

/** The operations of `list` the target can carry (see `unsupportedOperations`). */
function carried(context: ScenarioContext, list: readonly SpecOperation[]): SpecOperation[] {
  return list.filter((candidate) => context.env.unsupportedOperations?.[candidate.operationId] === undefined);
}

/** The JSON operations (415 for another media type) and the multipart ones (415 for JSON). */
const JSON_BODY_OPERATIONS = specOperations.filter(
  (candidate) => candidate.requestBody?.content['application/json'],
);
const MULTIPART_OPERATIONS = specOperations.filter(
  (candidate) => candidate.requestBody?.content['multipart/form-data'],
);

export const accessScenarios: ScenarioGroup = {
  name: 'access and limits',
  scenarios: [
    scenario(
      'every secured operation is 401 unauthorized with WWW-Authenticate without credentials',
      ['authentication'],
      async (context) => {
        for (const candidate of carried(context, secured)) {
          const response = await send(
            context,
            toRequest(baselineRequest(candidate, material(context, undefined)), context.env.baseUrl),
          );
          await expectProblemResponse(response, 401, 'unauthorized', { head: candidate.method === 'HEAD' });
          expect(response.headers.get('WWW-Authenticate'), candidate.operationId).toBeTruthy();
        }
      },
    ),

    scenario(
      'a wrong credential is 401 unauthorized',
      ['authentication', 'credentialCheck'],
      async (context) => {
        await expectProblem(
          context.clientWith({ token: 'mtls_not-a-token' }).certificates.list(),
          401,
          'unauthorized',
        );
        await expectProblem(
          context.clientWith({ token: 'mtls_not-a-token' }).forward({
            method: 'GET',
            url: neverCalledUrl(context, '/wrong-token'),
          }),
          401,
          'unauthorized',
        );
      },
    ),

    scenario('a read-only token is 403 forbidden on every write', ['permissions'], async (context) => {
      const readOnly = `Bearer ${context.env.readOnlyToken}`;
      for (const candidate of carried(context, writes)) {
        const response = await send(
          context,
          toRequest(baselineRequest(candidate, material(context, readOnly)), context.env.baseUrl),
        );
        await expectProblemResponse(response, 403, 'forbidden', { head: candidate.method === 'HEAD' });
      }
      // And it still reads.
      expect(
        Array.isArray(
          await context.clientWith({ token: context.env.readOnlyToken ?? '' }).certificates.list(),
        ),
      ).toBe(true);
    }),

    scenario(
      'a token is 403 forbidden on another account, for every operation',
      ['permissions'],
      async (context) => {
        const other = material(context, `Bearer ${context.env.token}`, context.env.otherAccountId);
        for (const candidate of carried(context, accountScoped)) {
          const response = await send(
            context,
            toRequest(baselineRequest(candidate, other), context.env.baseUrl),
          );
          await expectProblemResponse(response, 403, 'forbidden', { head: candidate.method === 'HEAD' });
        }
      },
    ),

    scenario(
      'over the rate limit, every operation is 429 rate_limited with Retry-After',
      ['rateLimit'],
      async (context) => {
        const baseUrl = context.env.rateLimitedBaseUrl ?? '';
        const parts = material(context, `Bearer ${context.env.token}`);
        for (const candidate of carried(context, specOperations)) {
          if (RATE_LIMIT_EXEMPT_OPERATIONS.has(candidate.operationId)) continue;
          let limited: Response | undefined;
          for (let attempt = 0; attempt < 5 && !limited; attempt += 1) {
            const response = await send(context, toRequest(baselineRequest(candidate, parts), baseUrl));
            if (response.status === 429) limited = response;
            else await response.arrayBuffer();
          }
          expect(limited?.status, `${candidate.operationId} was never rate limited`).toBe(429);
          await expectProblemResponse(limited as Response, 429, 'rate_limited', {
            head: candidate.method === 'HEAD',
          });
          expect(Number(limited?.headers.get('Retry-After'))).toBeGreaterThanOrEqual(0);
        }
      },
    ),

    scenario(
      'a body of a media type the operation does not take is 415 unsupported_media_type',
      ['requestValidation'],
      async (context) => {
        const auth = `Bearer ${context.env.token}`;
        for (const candidate of carried(context, JSON_BODY_OPERATIONS)) {
          const parts = baselineRequest(candidate, material(context, auth));
          parts.body = { kind: 'raw', contentType: 'text/plain', data: 'not json' };
          await expectProblemResponse(
            await send(context, toRequest(parts, context.env.baseUrl)),
            415,
            'unsupported_media_type',
          );
        }
        for (const candidate of carried(context, MULTIPART_OPERATIONS)) {
          const parts = baselineRequest(candidate, material(context, auth));
          parts.body = { kind: 'raw', contentType: 'application/json', data: '{"name":"x","password":"y"}' };
          await expectProblemResponse(
            await send(context, toRequest(parts, context.env.baseUrl)),
            415,
            'unsupported_media_type',
          );
        }
      },
    ),

    scenario(
      'a body over the limit is 413 payload_too_large',
      ['requestValidation', 'payloadLimit'],
      async (context) => {
        const auth = `Bearer ${context.env.token}`;
        const limit = context.env.limits?.bodyBytes ?? 0;
        const tooLarge = new Uint8Array(limit + 1).fill(32);
        for (const candidate of carried(context, [...JSON_BODY_OPERATIONS, ...MULTIPART_OPERATIONS])) {
          if (candidate.operationId === 'testP12') continue; // in the p12 test scenarios
          const parts = baselineRequest(candidate, material(context, auth));
          if (parts.body?.kind === 'multipart') {
            parts.body.parts.file = {
              value: tooLarge,
              contentType: 'application/x-pkcs12',
              filename: 'big.p12',
            };
          } else {
            parts.body = { kind: 'raw', contentType: 'application/json', data: tooLarge };
          }
          await expectProblemResponse(
            await send(context, toRequest(parts, context.env.baseUrl)),
            413,
            'payload_too_large',
          );
        }
      },
    ),

    scenario(
      'the generated request of every operation passes validation',
      ['requestValidation'],
      async (context) => {
        // The negative tests mutate these requests one input at a time: each must be valid to begin with.
        const parts = material(context, `Bearer ${context.env.token}`);
        for (const candidate of carried(context, specOperations)) {
          const response = await send(
            context,
            toRequest(baselineRequest(candidate, parts), context.env.baseUrl),
          );
          const text = await response.text();
          expect(
            response.headers.get('LP-gateway-error'),
            `${candidate.operationId}: ${text.slice(0, 300)}`,
          ).not.toBe('invalid_request');
          expect(response.status, candidate.operationId).toBeLessThan(500);
        }
      },
    ),
  ],
};
