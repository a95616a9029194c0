/**
 * Gateway domain discovery: the account's CSDS entry `mtlsGateway`, cached per (CSDS base URL, account).
 */
import { DiscoveryError } from '../errors.js';
import { raceAbort } from './signals.js';

/** LivePerson's public CSDS (no credentials needed). */
export const DEFAULT_CSDS_BASE_URL = 'https://adminlogin.liveperson.net';

/** The CSDS service name of the gateway. */
export const GATEWAY_CSDS_SERVICE = 'mtlsGateway';

/** How long a discovered domain is reused before CSDS is asked again. */
export const DEFAULT_DISCOVERY_TTL_MS = 10 * 60 * 1000;

/**
 * Where and how to look the gateway domain up.
 *
 * @example
 * ```ts
 * const options: DiscoveryOptions = {
 *   csdsBaseUrl: 'https://adminlogin.liveperson.net', accountId: 'le1606809', ttlMs: 600_000,
 *   fetch: (request) => fetch(request), timeoutMs: 10_000,
 * };
 * ```
 */
export interface DiscoveryOptions {
  csdsBaseUrl: string;
  accountId: string;
  ttlMs: number;
  fetch: (request: Request) => Promise<Response>;
  /** Bounds the CSDS call; a non-finite value means no bound. */
  timeoutMs: number;
  /** Called once per CSDS call actually made (not for cache hits). */
  onDiscovered?: (baseUrl: string, durationMs: number) => void;
}

interface CacheEntry {
  baseUrl: Promise<string>;
  /** Infinity while the lookup is in flight, so concurrent first calls share it. */
  expiresAt: number;
}

// Module-wide on purpose: every client of the same account shares one lookup.
const cache = new Map<string, CacheEntry>();

/**
 * The gateway base URL (`https://{baseURI}`) of an account, from its CSDS entry `mtlsGateway`
 * (`GET {csdsBaseUrl}/api/account/{accountId}/service/baseURI.json?version=1.0`). Cached per
 * (csdsBaseUrl, accountId) for `ttlMs`; a failed lookup is not cached. `signal` only stops this caller's wait.
 *
 * @throws {DiscoveryError} when CSDS cannot be reached, answers an error or has no `mtlsGateway` entry.
 *
 * @example
 * ```ts
 * const baseUrl = await discoverGatewayBaseUrl({ ...options, accountId: 'le1606809' });
 * // 'https://va.mtls-gateway.example'
 * ```
 */
export function discoverGatewayBaseUrl(options: DiscoveryOptions, signal?: AbortSignal): Promise<string> {
  const key = `${options.csdsBaseUrl}\n${options.accountId}`;
  const cached = cache.get(key);
  if (cached && cached.expiresAt > Date.now()) return raceAbort(cached.baseUrl, signal);

  const entry: CacheEntry = { baseUrl: lookUp(options), expiresAt: Number.POSITIVE_INFINITY };
  cache.set(key, entry);
  entry.baseUrl.then(
    () => {
      entry.expiresAt = Date.now() + options.ttlMs;
    },
    () => {
      if (cache.get(key) === entry) cache.delete(key);
    },
  );
  return raceAbort(entry.baseUrl, signal);
}

/**
 * Forgets every discovered domain (for tests, or after moving an account).
 *
 * @example
 * ```ts
 * clearDiscoveryCache();
 * ```
 */
export function clearDiscoveryCache(): void {
  cache.clear();
}

async function lookUp(options: DiscoveryOptions): Promise<string> {
  const started = Date.now();
  const base = options.csdsBaseUrl.replace(/\/+$/, '');
  const url = `${base}/api/account/${encodeURIComponent(options.accountId)}/service/baseURI.json?version=1.0`;
  const where = `CSDS (${base}) for account ${options.accountId}`;
  let body: unknown;
  try {
    const response = await options.fetch(
      new Request(url, {
        headers: { Accept: 'application/json' },
        ...(Number.isFinite(options.timeoutMs) ? { signal: AbortSignal.timeout(options.timeoutMs) } : {}),
      }),
    );
    if (!response.ok) {
      await response.body?.cancel();
      throw new DiscoveryError(
        `${where} answered ${response.status}; check the account id, or pass baseUrl instead of discover.`,
        { status: response.status, headers: response.headers },
      );
    }
    body = await response.json();
  } catch (error) {
    if (error instanceof DiscoveryError) throw error;
    throw new DiscoveryError(
      `${where} could not be read; check the network, or pass baseUrl instead of discover.`,
      {
        cause: error,
      },
    );
  }
  const baseUrl = gatewayBaseUrlFrom(body);
  if (baseUrl === undefined) {
    throw new DiscoveryError(
      `${where} has no usable "${GATEWAY_CSDS_SERVICE}" entry; pass baseUrl instead of discover.`,
    );
  }
  options.onDiscovered?.(baseUrl, Date.now() - started);
  return baseUrl;
}

function gatewayBaseUrlFrom(body: unknown): string | undefined {
  const entries = (body as { baseURIs?: unknown } | null)?.baseURIs;
  if (!Array.isArray(entries)) return undefined;
  const entry = entries.find(
    (candidate: unknown) => (candidate as { service?: unknown } | null)?.service === GATEWAY_CSDS_SERVICE,
  ) as { baseURI?: unknown } | undefined;
  const host = entry?.baseURI;
  if (typeof host !== 'string' || host === '') return undefined;
  let url: URL;
  try {
    url = new URL(`https://${host}`);
  } catch {
    return undefined;
  }
  // A CSDS baseURI is a host (and port) only; anything else would point the credentials somewhere unexpected.
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return undefined;
  return url.origin;
}
