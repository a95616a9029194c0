/**
 * `createMtlsGatewayClient`: the typed client of the mTLS Gateway API, on openapi-fetch over the generated
 * `paths`. Web APIs only: runs in browsers, edge runtimes and Node.
 */

import type { paths } from '@mtls-gateway/contract';
import createClient, { type Client } from 'openapi-fetch';
import type { RequestAuthenticator } from '../auth/authenticator.js';
import { type BearerTokenSource, createBearerAuth } from '../auth/bearer.js';
import { createOAuth1Signer, type OAuth1SignerOptions } from '../auth/oauth1.js';
import { InvalidArgumentError } from '../errors.js';
import { checkAccountId, checkNumber, type GatewayScope } from './call.js';
import { type CertificatesResource, createCertificatesResource } from './certificates.js';
import { DEFAULT_CSDS_BASE_URL, DEFAULT_DISCOVERY_TTL_MS } from './discovery.js';
import { createForwardingResource, type ForwardingResource } from './forwarding.js';
import type { MtlsGatewayHooks } from './hooks.js';
import type { MtlsGatewayLogger } from './logger.js';
import { createMappingsResource, type MappingsResource } from './mappings.js';
import {
  createTransport,
  DISCOVERY_PLACEHOLDER_ORIGIN,
  type RetryOptions,
  type Transport,
} from './transport.js';

/**
 * How the client authenticates to the gateway: OAuth 1.0a (a consumer key with `MTLS_READ_INTERNAL` /
 * `MTLS_WRITE_INTERNAL`) or a Bearer token (fixed, or a provider called for each attempt).
 *
 * @example
 * ```ts
 * const oauth: MtlsGatewayAuth = { oauth1: { consumerKey: 'key', consumerSecret: 'secret' } };
 * const bearer: MtlsGatewayAuth = { bearer: async () => tokens.current() };
 * ```
 */
export type MtlsGatewayAuth = { oauth1: OAuth1SignerOptions } | { bearer: BearerTokenSource };

/**
 * Options both ways of creating a client accept.
 *
 * @example
 * ```ts
 * const common: MtlsGatewayCommonOptions = { auth: { bearer: token }, timeoutMs: 10_000, maxRetries: 3 };
 * ```
 */
export interface MtlsGatewayCommonOptions {
  auth?: MtlsGatewayAuth | undefined;
  /** The account the resource methods act on; without it, use `client.forAccount(accountId)`. */
  accountId?: string | undefined;
  /** The fetch to send with (default: the global `fetch`), e.g. one with a proxy or custom TLS dispatcher. */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  /**
   * Milliseconds each attempt may take (default 60000; `Infinity` for none): until the whole answer for the
   * management API, until the answer's headers for `forward` and `testP12` (the remote's body then streams).
   * A call's own `timeoutMs` overrides it.
   */
  timeoutMs?: number | undefined;
  /**
   * Retries of idempotent calls after transient failures (default 2; 0 turns retries off). A call's own
   * `maxRetries` overrides it; calls that are not idempotent are never retried, whatever either says.
   */
  maxRetries?: number | undefined;
  /** Backoff settings. */
  retry?: RetryOptions | undefined;
  /** Receives request, response, retry, error and discovery events; they never contain credentials or bodies. */
  logger?: MtlsGatewayLogger | undefined;
  /**
   * `onRequest` (before each attempt, before signing; may change the headers), `onResponse` (each answer),
   * `onError` (the error a call ends with). They reach every resource method and `raw`; see {@link MtlsGatewayHooks}.
   */
  hooks?: MtlsGatewayHooks | undefined;
  /** Headers sent to the gateway with every call (a call's `headers` add to them). */
  headers?: Record<string, string> | undefined;
}

/**
 * A client of a gateway at a known address.
 *
 * @example
 * ```ts
 * const options: MtlsGatewayFixedOptions = { baseUrl: 'https://mtls-gateway.example.com', accountId: 'le1606809' };
 * ```
 */
export interface MtlsGatewayFixedOptions extends MtlsGatewayCommonOptions {
  /** The gateway's base URL, e.g. `https://mtls-gateway.example.com`. */
  baseUrl: string;
  discover?: false | undefined;
}

/**
 * A client that finds the gateway from the account's CSDS entry `mtlsGateway` on its first call (cached per
 * CSDS base URL and account for `discoveryTtlMs`).
 *
 * @example
 * ```ts
 * const options: MtlsGatewayDiscoveryOptions = { accountId: 'le1606809', discover: true };
 * ```
 */
export interface MtlsGatewayDiscoveryOptions extends MtlsGatewayCommonOptions {
  accountId: string;
  discover: true;
  /** Default `https://adminlogin.liveperson.net`. */
  csdsBaseUrl?: string | undefined;
  /** How long a discovered domain is reused (default 10 minutes). */
  discoveryTtlMs?: number | undefined;
  baseUrl?: never;
}

/**
 * Options of {@link createMtlsGatewayClient}.
 *
 * @example
 * ```ts
 * const options: MtlsGatewayClientOptions = { baseUrl: 'https://mtls-gateway.example.com', auth: { bearer: token } };
 * ```
 */
export type MtlsGatewayClientOptions = MtlsGatewayFixedOptions | MtlsGatewayDiscoveryOptions;

/**
 * A client not bound to an account: the raw typed client, and `forAccount` for the resource methods.
 *
 * @example
 * ```ts
 * const gateway: MtlsGatewayBaseClient = createMtlsGatewayClient({ baseUrl, auth });
 * const { data } = await gateway.raw.GET('/healthz');
 * ```
 */
export interface MtlsGatewayBaseClient {
  /**
   * The typed openapi-fetch client over the spec's `paths`, through the same transport (auth, timeouts,
   * retries, discovery, logger). It answers `{ data, error, response }` and does not throw on error answers.
   * Middleware added with `raw.use()` applies to raw calls only.
   */
  readonly raw: Client<paths>;
  /** A client for another account, sharing this one's transport. */
  forAccount(accountId: string): MtlsGatewayClient;
}

/**
 * A client bound to an account: forwarding, the p12 test, certificates and mappings.
 *
 * @example
 * ```ts
 * const client: MtlsGatewayClient = createMtlsGatewayClient({ baseUrl, accountId: 'le1606809', auth });
 * const certificates = await client.certificates.list();
 * ```
 */
export interface MtlsGatewayClient extends MtlsGatewayBaseClient, ForwardingResource {
  readonly accountId: string;
  readonly certificates: CertificatesResource;
  readonly mappings: MappingsResource;
}

/**
 * Creates a client of the mTLS Gateway. With an `accountId` it is bound to that account; without one, call
 * `forAccount(accountId)` for the resource methods.
 *
 * - Auth: OAuth 1.0a or Bearer, signed anew for every attempt.
 * - Errors: every error answer of the gateway is thrown as a typed error (`NotFoundError`,
 *   `RateLimitError`, …); passthrough answers of `forward`/`testP12` are returned whatever their status.
 * - Resilience: a timeout per attempt; idempotent calls retried on connection errors, timeouts, 429, 502,
 *   503 and 504 of the gateway, with exponential backoff and full jitter, honouring `Retry-After`.
 * - Every resource method takes `timeoutMs`, `maxRetries`, `headers` and `signal` for that call, and returns
 *   an `APIPromise`: `await` gives the data, `.withResponse()` the data, `Response` and `requestId`.
 * - `hooks`: `onRequest`, `onResponse`, `onError` around every call.
 *
 * @throws {InvalidArgumentError} when neither `baseUrl` nor `discover` is usable, or a number option is invalid.
 *
 * @example
 * ```ts
 * import { createMtlsGatewayClient, NotFoundError } from '@mtls-gateway/sdk';
 *
 * const client = createMtlsGatewayClient({
 *   baseUrl: 'https://mtls-gateway.example.com',
 *   accountId: 'le1606809',
 *   auth: { oauth1: { consumerKey: process.env.KEY!, consumerSecret: process.env.SECRET! } },
 * });
 * const response = await client.forward({ method: 'GET', url: 'https://api.example.com/status', serviceName: 'IDP' });
 * const { data, requestId } = await client.certificates.list({ timeoutMs: 5_000 }).withResponse();
 * ```
 */
export function createMtlsGatewayClient(
  options: MtlsGatewayClientOptions & { accountId: string },
): MtlsGatewayClient;
export function createMtlsGatewayClient(options: MtlsGatewayClientOptions): MtlsGatewayBaseClient;
export function createMtlsGatewayClient(
  options: MtlsGatewayClientOptions,
): MtlsGatewayBaseClient | MtlsGatewayClient {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      'createMtlsGatewayClient needs an options object with baseUrl or discover.',
    );
  }
  const discover = options.discover === true;
  const baseUrl = discover ? DISCOVERY_PLACEHOLDER_ORIGIN : checkBaseUrl(options.baseUrl);
  const csdsBaseUrl = discover
    ? checkBaseUrl(options.csdsBaseUrl ?? DEFAULT_CSDS_BASE_URL, 'csdsBaseUrl')
    : '';
  const transport = createTransport({
    fetch: options.fetch ?? ((request) => globalThis.fetch(request)),
    authenticator: authenticatorFor(options.auth),
    timeoutMs: checkNumber(options.timeoutMs, 'timeoutMs', 60_000, { allowInfinity: true, min: 1 }),
    maxRetries: checkNumber(options.maxRetries, 'maxRetries', 2, { integer: true, min: 0 }),
    retry: options.retry ?? {},
    logger: options.logger,
    hooks: options.hooks,
    discovery: discover
      ? {
          csdsBaseUrl,
          defaultAccountId: checkAccountId(options.accountId),
          ttlMs: checkNumber(
            (options as MtlsGatewayDiscoveryOptions).discoveryTtlMs,
            'discoveryTtlMs',
            DEFAULT_DISCOVERY_TTL_MS,
            { min: 0 },
          ),
        }
      : undefined,
  });

  const clientOptions = {
    baseUrl,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    fetch: (request: Request) => transport.fetchForRaw(request),
  };
  const raw = createClient<paths>(clientOptions);
  // Resource methods use a client of their own (same transport), so raw.use() middleware cannot alter them.
  const api = createClient<paths>(clientOptions);

  const base: MtlsGatewayBaseClient = {
    raw,
    forAccount: (accountId) => scopedClient(raw, api, transport, checkAccountId(accountId), base),
  };
  return options.accountId === undefined
    ? base
    : scopedClient(raw, api, transport, checkAccountId(options.accountId), base);
}

function scopedClient(
  raw: Client<paths>,
  api: Client<paths>,
  transport: Transport,
  accountId: string,
  base: MtlsGatewayBaseClient,
): MtlsGatewayClient {
  const scope: GatewayScope = { api, transport, accountId };
  const forwarding = createForwardingResource(scope);
  return {
    raw,
    accountId,
    forAccount: base.forAccount,
    forward: forwarding.forward,
    testP12: forwarding.testP12,
    certificates: createCertificatesResource(scope),
    mappings: createMappingsResource(scope),
  };
}

function authenticatorFor(auth: MtlsGatewayAuth | undefined): RequestAuthenticator | undefined {
  if (auth === undefined) return undefined;
  if ('oauth1' in auth && auth.oauth1) return createOAuth1Signer(auth.oauth1);
  if ('bearer' in auth && auth.bearer !== undefined) return createBearerAuth(auth.bearer);
  throw new InvalidArgumentError(
    'auth must be { oauth1: { consumerKey, consumerSecret } } or { bearer: token }.',
  );
}

function checkBaseUrl(value: unknown, label = 'baseUrl'): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    throw new InvalidArgumentError(
      `${label} must be an absolute http(s) URL without credentials (e.g. https://mtls-gateway.example.com)${
        label === 'baseUrl' ? ', or pass { accountId, discover: true }' : ''
      }.`,
    );
  }
  return (value as string).replace(/\/+$/, '');
}
