import { selectMapping } from '@mtls-gateway/contract';

/** An enabled mapping of a live certificate, as forwarding chooses among them. */
export interface ActiveMapping {
  certificateId: number;
  serviceName: string;
  /** As stored: ending in `*` for a prefix mapping. */
  url: string;
}

interface PrefixMapping {
  mapping: ActiveMapping;
  /** The url without its `*`. */
  prefix: string;
}

/**
 * `scheme://authority` as written at the start of a URL (up to the first `/`, `\`, `?` or `#` after `://`).
 * A prefix mapping can only apply to a URL with the same one (`mappingUrlMatches`: the request URL starts with
 * the prefix, and the prefix ends at a boundary), so it narrows the prefix mappings to look at.
 */
function authorityOf(url: string): string {
  const start = url.indexOf('://');
  if (start < 0) return url;
  const end = url.slice(start + 3).search(/[/\\?#]/);
  return end < 0 ? url : url.slice(0, start + 3 + end);
}

/**
 * Every active mapping of one account, indexed so that choosing the mapping of a request costs a map lookup
 * and a look at the prefix mappings of the same `scheme://authority` — not a query over all of the account's
 * mappings. The choice itself is the contract's `selectMapping`, as in `MappingService.resolveMapping`.
 *
 * @example
 * ```ts
 * const index = new AccountMappingIndex(await mappings.listActiveMappings(accountId));
 * index.lookup('WEBHOOKS', 'https://api.example.com/hooks?tenant=42'); // { certificateId, … } or undefined
 * ```
 */
export class AccountMappingIndex {
  readonly size: number;
  readonly #exact = new Map<string, ActiveMapping[]>();
  readonly #prefixes = new Map<string, PrefixMapping[]>();

  constructor(mappings: readonly ActiveMapping[]) {
    this.size = mappings.length;
    for (const mapping of mappings) {
      if (mapping.url.endsWith('*')) {
        const prefix = mapping.url.slice(0, -1);
        const key = authorityOf(prefix);
        const list = this.#prefixes.get(key);
        if (list) list.push({ mapping, prefix });
        else this.#prefixes.set(key, [{ mapping, prefix }]);
      } else {
        const list = this.#exact.get(mapping.url);
        if (list) list.push(mapping);
        else this.#exact.set(mapping.url, [mapping]);
      }
    }
  }

  /** The mapping of a request (service name or any service), or `undefined` when none applies. */
  lookup(serviceName: string | undefined, url: string): ActiveMapping | undefined {
    const ofService = (mapping: ActiveMapping) =>
      serviceName === undefined || mapping.serviceName === serviceName;
    const candidates = (this.#exact.get(url) ?? []).filter(ofService);
    for (const { mapping, prefix } of this.#prefixes.get(authorityOf(url)) ?? []) {
      if (url.startsWith(prefix) && ofService(mapping)) candidates.push(mapping);
    }
    return selectMapping(candidates, url);
  }
}
