import type { SecureContext } from 'node:tls';
import { LRUCache } from 'lru-cache';
import type { LoadedCertificate } from '../certificates/certificate-service.js';
import { SecretStoreUnavailableError } from '../secrets/errors.js';
import { DatabaseUnavailableError } from '../storage/errors.js';
import { AccountMappingIndex, type ActiveMapping } from './mapping-index.js';
import type { UpstreamTls } from './upstream-tls.js';

/**
 * Where certificates come from: the mapping lookup and the key material of Available certificates
 * (`MappingService.resolveMapping` and `CertificateService.loadCertificateMaterial` fit).
 */
export interface CertificateSource {
  resolveMapping(request: {
    accountId: string;
    serviceName?: string | undefined;
    url: string;
  }): Promise<{ certificateId: number } | undefined>;
  /** `undefined` unless the certificate is Available (never Expired or UnAvailable material). */
  loadCertificateMaterial(accountId: string, certificateId: number): Promise<LoadedCertificate | undefined>;
  /**
   * Every enabled mapping of the account's live certificates (`MappingService.listActiveMappings` fits). When
   * given, an account's mappings are kept in memory as an {@link AccountMappingIndex} while the change
   * watcher is current, and a request's mapping is chosen there; else each new URL is a `resolveMapping`.
   */
  listActiveMappings?(accountId: string): Promise<ActiveMapping[]>;
}

/** The certificate to present for a request. */
export interface ResolvedCertificate {
  id: number;
  version: number;
  /** Key and chain, ready for `tls.connect`. Built once per certificate version. */
  secureContext: SecureContext;
}

/** Options of {@link CertificateResolver}. */
export interface CertificateResolverOptions {
  source: CertificateSource;
  upstreamTls: UpstreamTls;
  /**
   * Whether cached lookups may be used right now: true only while the change watcher is known to have seen
   * every change committed up to a moment ago. Default: never (every request reads the database).
   */
  canUseCache?: (() => boolean) | undefined;
  /** Most certificates whose decrypted key is kept in memory. Default 1000. */
  maxCertificates?: number | undefined;
  /** Longest time a decrypted key is kept. Default 5 minutes. */
  certificateTtlMs?: number | undefined;
  /** Most cached mapping lookups. Default 10 000. */
  maxMappingLookups?: number | undefined;
  /** Longest time a mapping lookup (or an account's mapping index) is kept. Default 60 s. */
  mappingTtlMs?: number | undefined;
  /**
   * Most mappings kept in account indexes, all accounts together (least recently used accounts go first; an
   * account with more is looked up per request). Default 200 000.
   */
  maxIndexedMappings?: number | undefined;
}

/** A cached mapping lookup; `certificateId: null` caches "no mapping applies" too. */
interface MappingLookup {
  certificateId: number | null;
}

function mappingKey(accountId: string, serviceName: string | undefined, url: string): string {
  return `${accountId}\u0000${serviceName ?? ''}\u0000${url}`;
}

/** The database or the secret store cannot be reached (not: the data is wrong). */
function isDependencyUnavailable(error: unknown): boolean {
  return error instanceof DatabaseUnavailableError || error instanceof SecretStoreUnavailableError;
}

function certificateKey(accountId: string, certificateId: number): string {
  return `${accountId}\u0000${certificateId}`;
}

/**
 * Chooses the certificate of a forwarded request (mapping → Available certificate → TLS context) and
 * caches both steps: decrypted keys in a small LRU with a TTL that never outlives the certificate's
 * `notAfter`, mapping lookups (negative ones too) in a larger one.
 *
 * Caches are only read while `canUseCache()` says the change watcher is current, and every invalidation
 * bumps a generation so a lookup that started before a change never stores its (stale) result after it.
 * When the database or the secret store cannot be reached, a cached entry (within its TTL) is used instead
 * of failing: forwarding with known certificates survives an outage of either.
 *
 * @example
 * ```ts
 * const resolver = new CertificateResolver({ source, upstreamTls, canUseCache: () => watcher.isCurrent() });
 * const certificate = await resolver.resolve({ accountId, serviceName: 'WEBHOOKS', url });
 * ```
 */
export class CertificateResolver {
  readonly #source: CertificateSource;
  readonly #upstreamTls: UpstreamTls;
  readonly #canUseCache: () => boolean;
  readonly #certificates: LRUCache<string, ResolvedCertificate>;
  readonly #mappings: LRUCache<string, MappingLookup>;
  readonly #indexes: LRUCache<string, AccountMappingIndex>;
  /** Index loads under way, by account: concurrent requests wait for the same one. */
  readonly #indexLoads = new Map<string, Promise<AccountMappingIndex>>();
  /** Accounts with more mappings than the indexes may hold: looked up per request, not loaded again. */
  readonly #oversized: LRUCache<string, true>;
  readonly #maxIndexedMappings: number;
  #generation = 0;

  constructor(options: CertificateResolverOptions) {
    this.#source = options.source;
    this.#upstreamTls = options.upstreamTls;
    this.#canUseCache = options.canUseCache ?? (() => false);
    // Least recently used entries go first when full; an entry past its TTL is never returned.
    this.#certificates = new LRUCache({
      max: Math.max(1, options.maxCertificates ?? 1000),
      ttl: options.certificateTtlMs ?? 5 * 60_000,
    });
    this.#mappings = new LRUCache({
      max: Math.max(1, options.maxMappingLookups ?? 10_000),
      ttl: options.mappingTtlMs ?? 60_000,
    });
    this.#maxIndexedMappings = Math.max(1, options.maxIndexedMappings ?? 200_000);
    this.#oversized = new LRUCache({ max: 10_000, ttl: options.mappingTtlMs ?? 60_000 });
    this.#indexes = new LRUCache({
      maxSize: this.#maxIndexedMappings,
      sizeCalculation: (index) => Math.max(1, index.size),
      ttl: options.mappingTtlMs ?? 60_000,
    });
  }

  /** Cached certificates (decrypted keys in memory). */
  get cachedCertificates(): number {
    return this.#certificates.size;
  }

  /**
   * The certificate mapped to account + service + URL, when it is Available; `undefined` when none applies.
   */
  async resolve(request: {
    accountId: string;
    serviceName?: string | undefined;
    url: string;
  }): Promise<ResolvedCertificate | undefined> {
    const { accountId, serviceName, url } = request;
    const useCache = this.#canUseCache();
    const generation = this.#generation;

    const index = useCache ? await this.#mappingIndex(accountId, generation) : undefined;
    const key = mappingKey(accountId, serviceName, url);
    let lookup: MappingLookup | undefined;
    if (index) lookup = { certificateId: index.lookup(serviceName, url)?.certificateId ?? null };
    else if (useCache) lookup = this.#mappings.get(key);
    if (lookup === undefined) {
      try {
        const mapping = await this.#source.resolveMapping({ accountId, serviceName, url });
        lookup = { certificateId: mapping ? mapping.certificateId : null };
        if (generation === this.#generation) this.#mappings.set(key, lookup);
      } catch (error) {
        // Stale if unavailable: no change can be committed while the database is down for everyone.
        if (!isDependencyUnavailable(error)) throw error;
        const staleIndex = this.#indexes.get(accountId);
        lookup = staleIndex
          ? { certificateId: staleIndex.lookup(serviceName, url)?.certificateId ?? null }
          : this.#mappings.get(key);
        if (lookup === undefined) throw error;
      }
    }
    if (lookup.certificateId === null) return undefined;
    return this.#certificate(accountId, lookup.certificateId, useCache, generation);
  }

  /**
   * The account's mapping index: cached, or loaded once for concurrent requests. `undefined` when the source
   * cannot list mappings, the account has more than the indexes may hold, or loading fails (the caller then
   * looks the URL up alone, and handles an outage there).
   */
  async #mappingIndex(accountId: string, generation: number): Promise<AccountMappingIndex | undefined> {
    const cached = this.#indexes.get(accountId);
    if (cached || this.#oversized.has(accountId)) return cached;
    const list = this.#source.listActiveMappings?.bind(this.#source);
    if (!list) return undefined;
    let load = this.#indexLoads.get(accountId);
    if (!load) {
      load = list(accountId).then((mappings) => new AccountMappingIndex(mappings));
      const started = load;
      this.#indexLoads.set(accountId, started);
      const forget = () => {
        if (this.#indexLoads.get(accountId) === started) this.#indexLoads.delete(accountId);
      };
      started.then(forget, forget);
    }
    try {
      const index = await load;
      // A change since this request began: the index may predate it, so it is neither used nor kept.
      if (generation !== this.#generation) return undefined;
      if (index.size > this.#maxIndexedMappings) {
        this.#oversized.set(accountId, true);
        return undefined;
      }
      this.#indexes.set(accountId, index);
      return index;
    } catch {
      return undefined;
    }
  }

  async #certificate(
    accountId: string,
    certificateId: number,
    useCache: boolean,
    generation: number,
  ): Promise<ResolvedCertificate | undefined> {
    const key = certificateKey(accountId, certificateId);
    const cached = useCache ? this.#certificates.get(key) : undefined;
    if (cached) return cached;
    let loaded: LoadedCertificate | undefined;
    try {
      loaded = await this.#source.loadCertificateMaterial(accountId, certificateId);
    } catch (error) {
      const stale = isDependencyUnavailable(error) ? this.#certificates.get(key) : undefined;
      if (stale) return stale;
      throw error;
    }
    if (!loaded) return undefined;
    // Reuse the context when this version is already cached (the cache was bypassed, not invalidated).
    const previous = this.#certificates.get(key);
    const resolved =
      previous && previous.id === loaded.id && previous.version === loaded.version
        ? previous
        : {
            id: loaded.id,
            version: loaded.version,
            secureContext: this.#upstreamTls.secureContextFor(loaded.material),
          };
    if (generation === this.#generation) {
      // The key is never kept past the certificate's notAfter (a TTL of 0 would mean "forever": not cached).
      const untilNotAfter = loaded.notAfter ? Math.floor(loaded.notAfter.getTime() - Date.now()) : Infinity;
      const ttl = Math.min(this.#certificates.ttl, untilNotAfter);
      if (ttl >= 1) this.#certificates.set(key, resolved, { ttl });
      else this.#certificates.delete(key);
    }
    return resolved;
  }

  /** Forgets a certificate's key and every mapping lookup of its account (it was updated or deleted). */
  invalidateCertificate(accountId: string, certificateId: number): void {
    this.#generation += 1;
    this.#certificates.delete(certificateKey(accountId, certificateId));
    this.invalidateMappings(accountId);
  }

  /** Forgets the mapping lookups of an account (a mapping was created, changed or deleted). */
  invalidateMappings(accountId: string): void {
    this.#generation += 1;
    this.#indexes.delete(accountId);
    this.#indexLoads.delete(accountId);
    this.#oversized.delete(accountId);
    const prefix = `${accountId}\u0000`;
    for (const key of [...this.#mappings.keys()]) if (key.startsWith(prefix)) this.#mappings.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.#generation += 1;
    this.#certificates.clear();
    this.#mappings.clear();
    this.#indexes.clear();
    this.#indexLoads.clear();
    this.#oversized.clear();
  }
}
