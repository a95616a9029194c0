import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * **Test double** of HashiCorp Vault — not Vault. No Vault binary is available where these tests run, so
 * this `node:http` server on 127.0.0.1 answers the few endpoints `VaultSecretStore` uses, the way Vault's
 * API documentation describes them (KV secrets engine version 2, `sys/health`):
 *
 * - `POST|PUT /v1/{mount}/data/{path}` `{ "data": {…}, "options": { "cas"? } }` → 200, a new version each write
 * - `GET /v1/{mount}/data/{path}[?version=n]` → 200 `{ data: { data, metadata } }`; 404 `{"errors":[]}` when
 *   absent; 404 with `data.data = null` when that version is soft-deleted
 * - `DELETE /v1/{mount}/data/{path}` → 204, soft-deletes the latest version
 * - `GET /v1/{mount}/metadata/{path}` → 200 key metadata; `DELETE /v1/{mount}/metadata/{path}` → 204,
 *   removes the key and every version
 * - `GET /v1/sys/health` (no token) → 200, or 503 when sealed
 *
 * Every answer uses Vault's response envelope (`request_id`, `lease_id`, `renewable`, `lease_duration`,
 * `data`, `wrap_info`, `warnings`, `auth`, `mount_type`). A missing or wrong `X-Vault-Token` gets
 * 403 `{"errors":["permission denied"]}`; `X-Vault-Namespace` scopes all data; a path outside the configured
 * mounts gets 404 "no handler for route"; when sealed every other request gets 503 `{"errors":["Vault is sealed"]}`.
 *
 * Not modelled: policies (one token can do everything), leases, wrapping, `max_versions`, undelete/destroy.
 */
export interface VaultDouble {
  /** `http://127.0.0.1:<port>` */
  readonly address: string;
  /** The only token accepted. */
  readonly token: string;
  /** Requests received, oldest first. The token itself is not recorded, only whether it matched. */
  readonly requests: RecordedVaultRequest[];
  /** Seal or unseal: sealed, `sys/health` answers 503 and every other request 503 "Vault is sealed". */
  setSealed(sealed: boolean): void;
  /** Delays every answer (to exercise client timeouts). */
  setResponseDelay(ms: number): void;
  /** The stored versions of a key, for assertions (`undefined` when the key does not exist). */
  inspect(mount: string, path: string, namespace?: string): StoredKey | undefined;
  close(): Promise<void>;
}

/** One request as the double saw it. */
export interface RecordedVaultRequest {
  method: string;
  path: string;
  namespace: string | undefined;
  tokenAccepted: boolean;
  body: unknown;
}

/** A KV v2 key: its versions (1-based) and metadata. */
export interface StoredKey {
  currentVersion: number;
  createdTime: string;
  updatedTime: string;
  versions: Map<number, StoredVersion>;
}

/** One version of a KV v2 key. */
export interface StoredVersion {
  data: Record<string, unknown>;
  createdTime: string;
  deletionTime: string;
  destroyed: boolean;
}

/** Options of {@link startVaultDouble}. */
export interface VaultDoubleOptions {
  /** Accepted token. Default: a random `hvs.` token. */
  token?: string;
  /** KV v2 mount paths. Default `['secret']` (as in `vault server -dev`). */
  mounts?: string[];
}

/**
 * Starts the Vault test double on 127.0.0.1 with a random port.
 *
 * @example
 * ```ts
 * const vault = await startVaultDouble();
 * const store = new VaultSecretStore({ address: vault.address, token: vault.token });
 * // …
 * await vault.close();
 * ```
 */
export async function startVaultDouble(options: VaultDoubleOptions = {}): Promise<VaultDouble> {
  const token = options.token ?? `hvs.${randomBytes(18).toString('base64url')}`;
  const mounts = (options.mounts ?? ['secret']).map((m) => m.replace(/^\/+|\/+$/g, ''));
  const keys = new Map<string, StoredKey>();
  const requests: RecordedVaultRequest[] = [];
  let sealed = false;
  let delayMs = 0;

  const storageKey = (namespace: string, mount: string, path: string) =>
    `${namespace}\u0000${mount}\u0000${path}`;
  const now = () => new Date().toISOString().replace('Z', '000Z');

  const send = (res: ServerResponse, status: number, body?: unknown) => {
    const finish = () => {
      if (res.destroyed) return;
      if (body === undefined) {
        res.writeHead(status).end();
        return;
      }
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    if (delayMs > 0) setTimeout(finish, delayMs);
    else finish();
  };
  const envelope = (data: unknown) => ({
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
    mount_type: 'kv',
  });
  const versionMetadata = (version: number, stored: StoredVersion) => ({
    created_time: stored.createdTime,
    custom_metadata: null,
    deletion_time: stored.deletionTime,
    destroyed: stored.destroyed,
    version,
  });

  async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return Symbol.for('invalid-json');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const namespaceHeader = req.headers['x-vault-namespace'];
    const namespace =
      typeof namespaceHeader === 'string' && namespaceHeader ? namespaceHeader.replace(/^\/+|\/+$/g, '') : '';
    const tokenAccepted = req.headers['x-vault-token'] === token;
    const body = await readBody(req);
    requests.push({ method, path: url.pathname, namespace: namespace || undefined, tokenAccepted, body });

    if (method === 'GET' && url.pathname === '/v1/sys/health') {
      send(res, sealed ? 503 : 200, {
        initialized: true,
        sealed,
        standby: sealed,
        performance_standby: false,
        replication_performance_mode: 'disabled',
        replication_dr_mode: 'disabled',
        server_time_utc: Math.floor(Date.now() / 1000),
        version: '1.17.0',
        cluster_name: 'vault-double',
        cluster_id: 'f3b1a1b2-0000-4000-8000-000000000000',
      });
      return;
    }
    if (sealed) return send(res, 503, { errors: ['Vault is sealed'] });
    if (!tokenAccepted) return send(res, 403, { errors: ['permission denied'] });
    if (!url.pathname.startsWith('/v1/')) return send(res, 404, { errors: [] });

    const logical = url.pathname
      .slice('/v1/'.length)
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/');
    const mount = mounts
      .filter((m) => logical === m || logical.startsWith(`${m}/`))
      .sort((a, b) => b.length - a.length)[0];
    const rest = mount === undefined ? undefined : logical.slice(mount.length + 1);
    const slash = rest?.indexOf('/') ?? -1;
    if (mount === undefined || rest === undefined || slash <= 0 || slash === rest.length - 1) {
      return send(res, 404, { errors: [`no handler for route "${logical}". route entry not found.`] });
    }
    const operation = rest.slice(0, slash);
    const path = rest.slice(slash + 1);
    const id = storageKey(namespace, mount, path);
    const key = keys.get(id);

    if (operation === 'data' && (method === 'POST' || method === 'PUT')) {
      const payload = body as { data?: unknown; options?: { cas?: unknown } } | undefined | symbol;
      if (typeof payload === 'symbol') return send(res, 400, { errors: ['failed to parse JSON input'] });
      if (
        !payload ||
        typeof payload.data !== 'object' ||
        payload.data === null ||
        Array.isArray(payload.data)
      ) {
        return send(res, 400, { errors: ['no data provided'] });
      }
      const cas = payload.options?.cas;
      if (cas !== undefined && cas !== (key?.currentVersion ?? 0)) {
        return send(res, 400, { errors: ['check-and-set parameter did not match the current version'] });
      }
      const time = now();
      const entry = key ?? { currentVersion: 0, createdTime: time, updatedTime: time, versions: new Map() };
      const version = entry.currentVersion + 1;
      const stored: StoredVersion = {
        data: structuredClone(payload.data as Record<string, unknown>),
        createdTime: time,
        deletionTime: '',
        destroyed: false,
      };
      entry.versions.set(version, stored);
      entry.currentVersion = version;
      entry.updatedTime = time;
      keys.set(id, entry);
      return send(res, 200, envelope(versionMetadata(version, stored)));
    }

    if (operation === 'data' && method === 'GET') {
      const requested = url.searchParams.get('version');
      const version = requested && requested !== '0' ? Number(requested) : key?.currentVersion;
      const stored = version === undefined ? undefined : key?.versions.get(version);
      if (!key || version === undefined || !stored) return send(res, 404, { errors: [] });
      if (stored.deletionTime || stored.destroyed) {
        return send(res, 404, envelope({ data: null, metadata: versionMetadata(version, stored) }));
      }
      return send(
        res,
        200,
        envelope({ data: structuredClone(stored.data), metadata: versionMetadata(version, stored) }),
      );
    }

    if (operation === 'data' && method === 'DELETE') {
      const latest = key?.versions.get(key.currentVersion);
      if (latest && !latest.deletionTime) latest.deletionTime = now();
      return send(res, 204);
    }

    if (operation === 'metadata' && method === 'GET') {
      if (!key) return send(res, 404, { errors: [] });
      const versions = Object.fromEntries(
        [...key.versions].map(([version, stored]) => [
          String(version),
          {
            created_time: stored.createdTime,
            deletion_time: stored.deletionTime,
            destroyed: stored.destroyed,
          },
        ]),
      );
      return send(
        res,
        200,
        envelope({
          cas_required: false,
          created_time: key.createdTime,
          current_version: key.currentVersion,
          custom_metadata: null,
          delete_version_after: '0s',
          max_versions: 0,
          oldest_version: Math.min(...key.versions.keys()),
          updated_time: key.updatedTime,
          versions,
        }),
      );
    }

    if (operation === 'metadata' && method === 'DELETE') {
      keys.delete(id);
      return send(res, 204);
    }

    return send(res, 405, { errors: ['1 error occurred:\n\t* unsupported operation\n\n'] });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { errors: ['internal error'] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    address: `http://127.0.0.1:${port}`,
    token,
    requests,
    setSealed(value) {
      sealed = value;
    },
    setResponseDelay(ms) {
      delayMs = ms;
    },
    inspect(mount, path, namespace = '') {
      return keys.get(storageKey(namespace, mount, path));
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
