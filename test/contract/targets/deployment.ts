/**
 * A deployment as the contract target: `MTLS_CONTRACT_BASE_URL`, `MTLS_CONTRACT_ACCOUNT` and
 * `MTLS_CONTRACT_TOKEN` (Bearer, read + write on that account) name it; nothing is started. Optional:
 * `MTLS_CONTRACT_FORWARD_URL` (an upstream speaking the contract upstream protocol, reachable from the
 * gateway), `MTLS_CONTRACT_READ_TOKEN` + `MTLS_CONTRACT_OTHER_ACCOUNT` (the 403 scenarios),
 * `MTLS_CONTRACT_BODY_LIMIT` (bytes; the 413 scenarios) and `MTLS_CONTRACT_RPS` (client-side pace, default 8,
 * under the documented 10 requests per second per IP).
 */
import type { ContractEnvironment, Target } from '../support/target.js';

function required(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`${name} must be set to run the contract suite against a deployment`);
  return value;
}

/** A `fetch` that sends at most `perSecond` requests per second (the suite is faster than a rate limit). */
function pacedFetch(perSecond: number): (request: Request) => Promise<Response> {
  const interval = 1000 / perSecond;
  let next = 0;
  return async (request) => {
    const now = Date.now();
    const at = Math.max(now, next);
    next = at + interval;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
    return globalThis.fetch(request);
  };
}

export function deploymentTarget(): Target {
  return {
    name: `deployment ${process.env.MTLS_CONTRACT_BASE_URL ?? ''}`.trim(),
    async start() {
      const baseUrl = required('MTLS_CONTRACT_BASE_URL').replace(/\/+$/, '');
      const forwardUrl = process.env.MTLS_CONTRACT_FORWARD_URL?.trim();
      const readOnlyToken = process.env.MTLS_CONTRACT_READ_TOKEN?.trim();
      const otherAccountId = process.env.MTLS_CONTRACT_OTHER_ACCOUNT?.trim();
      const bodyLimit = Number(process.env.MTLS_CONTRACT_BODY_LIMIT ?? '');
      const noUpstream = 'MTLS_CONTRACT_FORWARD_URL is not set (an upstream the gateway may reach)';
      const unsupported: ContractEnvironment['unsupported'] = {
        rateLimit: 'a deployment’s rate limit is not lowered for the test',
        transportFailure: 'no URL is known to be unreachable from the deployment',
      };
      if (!forwardUrl) {
        unsupported.forwardTarget = noUpstream;
        unsupported.upstream = noUpstream;
      }
      if (!readOnlyToken || !otherAccountId) {
        unsupported.permissions = 'MTLS_CONTRACT_READ_TOKEN and MTLS_CONTRACT_OTHER_ACCOUNT are not both set';
      }
      if (!Number.isSafeInteger(bodyLimit) || bodyLimit <= 0) {
        unsupported.payloadLimit = 'MTLS_CONTRACT_BODY_LIMIT is not set (the deployment’s MTLS_BODY_LIMIT)';
      }
      return {
        baseUrl,
        accountId: required('MTLS_CONTRACT_ACCOUNT'),
        token: required('MTLS_CONTRACT_TOKEN'),
        readOnlyToken,
        otherAccountId,
        fetch: pacedFetch(Number(process.env.MTLS_CONTRACT_RPS ?? '8') || 8),
        upstream: forwardUrl ? { url: forwardUrl } : undefined,
        limits: unsupported.payloadLimit ? undefined : { bodyBytes: bodyLimit },
        unsupported,
      };
    },
    async stop() {},
  };
}
