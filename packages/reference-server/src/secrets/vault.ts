import { SecretDecryptionError, SecretStoreConfigError, SecretStoreUnavailableError } from './errors.js';
import {
  assertValidSecretRef,
  decodeSecretMaterial,
  pickSecretMaterial,
  type SecretContext,
  type SecretMaterial,
  type SecretStore,
} from './secret-store.js';

/** Options of {@link VaultSecretStore} (`VAULT_ADDR`, `VAULT_TOKEN`, `VAULT_MOUNT`, `VAULT_NAMESPACE`). */
export interface VaultSecretStoreOptions {
  /** Vault base URL, e.g. `https://vault.example.com:8200`. */
  address: string;
  /** Token sent as `X-Vault-Token`. Never logged, never part of an error message. */
  token: string;
  /** Mount path of the KV version 2 engine. Default `secret`. */
  mount?: string | undefined;
  /** Vault Enterprise namespace, sent as `X-Vault-Namespace`. */
  namespace?: string | undefined;
  /** Folder under the mount that holds this server's secrets. Default `mtls-gateway`. */
  pathPrefix?: string | undefined;
  /** Per-request timeout in milliseconds. Default 5000. */
  timeoutMs?: number | undefined;
  /** `fetch` to use (e.g. undici's with a custom CA dispatcher). Default: the global `fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
}

interface VaultErrorBody {
  errors?: unknown;
}

interface VaultReadBody {
  data?: { data?: unknown; metadata?: unknown } | null;
}

/** Fields stored in each Vault secret next to the material, checked on read. */
interface StoredVaultSecret extends SecretMaterial {
  accountId: string;
  certificateId: string;
}

const pathSegmentPattern = /^[A-Za-z0-9._~-]+$/;

function validatePath(value: string, what: string): string {
  const trimmed = value.replace(/^\/+|\/+$/g, '');
  const segments = trimmed.split('/');
  if (!trimmed || !segments.every((s) => pathSegmentPattern.test(s) && s !== '.' && s !== '..')) {
    throw new SecretStoreConfigError(
      `Invalid Vault ${what} "${value}". Use "/"-separated segments of letters, digits, ".", "_", "~" or "-".`,
    );
  }
  return trimmed;
}

/**
 * Certificate key material in HashiCorp Vault's KV version 2 engine, one secret per ref at
 * `<mount>/data/<pathPrefix>/<ref>`, written with `POST /v1/<mount>/data/…`, read with `GET`, removed with
 * every version by `DELETE /v1/<mount>/metadata/…`.
 *
 * The token needs a policy with `create`, `read`, `update` on `<mount>/data/<pathPrefix>/*` and `delete` on
 * `<mount>/metadata/<pathPrefix>/*`.
 *
 * @example
 * ```ts
 * const store = new VaultSecretStore({ address: process.env.VAULT_ADDR!, token: process.env.VAULT_TOKEN! });
 * await store.health();
 * ```
 */
export class VaultSecretStore implements SecretStore {
  readonly kind = 'vault' as const;
  readonly #address: string;
  readonly #token: string;
  readonly #mount: string;
  readonly #namespace: string | undefined;
  readonly #pathPrefix: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof globalThis.fetch;

  constructor(options: VaultSecretStoreOptions) {
    let url: URL;
    try {
      url = new URL(options.address);
    } catch {
      throw new SecretStoreConfigError(
        `VAULT_ADDR "${options.address}" is not a URL. Use e.g. https://vault.example.com:8200.`,
      );
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
      throw new SecretStoreConfigError(
        'VAULT_ADDR must be an http(s) URL without credentials; put the token in VAULT_TOKEN.',
      );
    }
    if (!options.token || /[\r\n]/.test(options.token)) {
      throw new SecretStoreConfigError('VAULT_TOKEN is empty or malformed. Set it to a valid Vault token.');
    }
    this.#address = url.href.replace(/\/+$/, '');
    this.#token = options.token;
    this.#mount = validatePath(options.mount ?? 'secret', 'mount');
    this.#namespace = options.namespace ? validatePath(options.namespace, 'namespace') : undefined;
    this.#pathPrefix = validatePath(options.pathPrefix ?? 'mtls-gateway', 'path prefix');
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** Where secrets go, for logs: address, mount, namespace and prefix (no token). */
  describe(): string {
    return `Vault ${this.#address} ${this.#namespace ? `namespace ${this.#namespace} ` : ''}mount ${this.#mount}/${this.#pathPrefix}`;
  }

  async put(ref: string, material: SecretMaterial, context: SecretContext): Promise<void> {
    assertValidSecretRef(ref);
    const data: StoredVaultSecret = {
      ...pickSecretMaterial(material),
      accountId: context.accountId,
      certificateId: context.certificateId,
    };
    await this.#request('POST', `data/${this.#pathPrefix}/${ref}`, { data });
  }

  async get(ref: string, context: SecretContext): Promise<SecretMaterial | undefined> {
    assertValidSecretRef(ref);
    const body = (await this.#request('GET', `data/${this.#pathPrefix}/${ref}`)) as VaultReadBody | undefined;
    // Absent, or its latest version soft-deleted / destroyed (then `data.data` is null).
    const stored = body?.data?.data as Partial<StoredVaultSecret> | null | undefined;
    if (stored === undefined || stored === null) return undefined;
    if (stored.accountId !== context.accountId || stored.certificateId !== context.certificateId) {
      throw new SecretDecryptionError(
        `The secret "${ref}" belongs to another account or certificate. Refusing to return it.`,
      );
    }
    return decodeSecretMaterial(stored, ref);
  }

  async delete(ref: string, _context: SecretContext): Promise<void> {
    assertValidSecretRef(ref);
    await this.#request('DELETE', `metadata/${this.#pathPrefix}/${ref}`);
  }

  /**
   * `GET /v1/sys/health`: fine when initialized and unsealed (active, standby or performance standby).
   * @throws {SecretStoreUnavailableError} when sealed, uninitialized, unreachable or timing out.
   */
  async health(): Promise<void> {
    const response = await this.#send('GET', `${this.#address}/v1/sys/health`, undefined, 'sys/health');
    // 200 active, 429 standby, 473 performance standby: all serve reads and writes (standbys forward).
    if ([200, 429, 473].includes(response.status)) {
      await response.body?.cancel();
      return;
    }
    const body = (await response.json().catch(() => ({}))) as { sealed?: boolean; initialized?: boolean };
    const state =
      body.initialized === false ? 'not initialized' : body.sealed ? 'sealed' : `HTTP ${response.status}`;
    throw new SecretStoreUnavailableError(
      `${this.describe()} is not ready (${state}). Initialize and unseal Vault, then retry.`,
    );
  }

  /** Sends a KV request; `undefined` for a 404 that means "no such secret", the JSON body otherwise. */
  async #request(method: 'GET' | 'POST' | 'DELETE', kvPath: string, body?: unknown): Promise<unknown> {
    const encodedPath = kvPath.split('/').map(encodeURIComponent).join('/');
    const logicalPath = `${this.#mount}/${kvPath}`;
    const url = `${this.#address}/v1/${this.#mount.split('/').map(encodeURIComponent).join('/')}/${encodedPath}`;
    const response = await this.#send(method, url, body, logicalPath);
    if (response.status === 204) return undefined;
    const text = await response.text().catch(() => '');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (response.ok) {
      // A proxy's HTML page must not read as "no secret here".
      if (method === 'GET' && (typeof json !== 'object' || json === null)) {
        throw new SecretStoreUnavailableError(
          `${this.describe()} answered ${logicalPath} with HTTP ${response.status} but no JSON. ` +
            'Check that VAULT_ADDR points at Vault itself, not at a proxy or login page.',
        );
      }
      return json;
    }
    const errors = this.#errorsOf(json);
    // KV answers 404 with an empty error list when the secret does not exist (or only has deleted
    // versions); a 404 *with* errors means the route itself is unknown, e.g. a wrong mount.
    if (response.status === 404 && errors.length === 0) return method === 'GET' ? json : undefined;
    throw new SecretStoreUnavailableError(this.#explain(response.status, errors, logicalPath));
  }

  async #send(method: string, url: string, body: unknown, logicalPath: string): Promise<Response> {
    const headers: Record<string, string> = { 'X-Vault-Token': this.#token, 'X-Vault-Request': 'true' };
    if (this.#namespace) headers['X-Vault-Namespace'] = this.#namespace;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await this.#fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      const name = (error as Error | undefined)?.name;
      const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
      const reason =
        name === 'TimeoutError' || name === 'AbortError'
          ? `no answer within ${this.#timeoutMs} ms`
          : typeof cause?.code === 'string'
            ? cause.code
            : 'connection failed';
      throw new SecretStoreUnavailableError(
        `${this.describe()} is unreachable (${method} ${logicalPath}: ${reason}). ` +
          'Check VAULT_ADDR and that Vault is running, then retry.',
      );
    }
  }

  #errorsOf(json: unknown): string[] {
    const errors = (json as VaultErrorBody | undefined)?.errors;
    return Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string') : [];
  }

  #explain(status: number, errors: string[], logicalPath: string): string {
    // Vault error texts never contain the token, but redact it anyway in case a proxy echoes headers.
    const detail = errors
      .map((e) => e.replace(/\s+/g, ' ').trim())
      .join('; ')
      .split(this.#token)
      .join('[redacted]')
      .slice(0, 300);
    const hint =
      status === 403
        ? 'Check that VAULT_TOKEN is valid and that its policy allows create, read, update on ' +
          `${this.#mount}/data/${this.#pathPrefix}/* and delete on ${this.#mount}/metadata/${this.#pathPrefix}/*.`
        : status === 404
          ? `Check VAULT_MOUNT: a KV version 2 engine must be mounted at "${this.#mount}".`
          : status === 503
            ? 'Vault is sealed or in maintenance: unseal it, then retry.'
            : 'Retry; if it persists, check the Vault server logs.';
    return `${this.describe()} refused ${logicalPath} (HTTP ${status}${detail ? `: ${detail}` : ''}). ${hint}`;
  }
}
