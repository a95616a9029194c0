import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildConnector } from 'undici';
import { certificateRoutes } from '../../src/certificates/index.js';
import { P12Factory } from '../../src/certificates/testing/p12-fixtures.js';
import type { GatewayConfig } from '../../src/config/config.js';
import type { HostResolver } from '../../src/egress/guarded-connector.js';
import type { CertificateSource } from '../../src/forwarding/certificate-resolver.js';
import type { SocketOpenerFactory } from '../../src/forwarding/forwarding-engine.js';
import { createForwarding } from '../../src/forwarding/index.js';
import type { GatewayContext } from '../../src/http/context.js';
import { type RawResponse, rawRequest } from '../../src/http/testing/http-client.js';
import { startTestApp, type TestApp, testConfig } from '../../src/http/testing/test-app.js';
import { createMappingRoutes } from '../../src/mappings/index.js';
import type { Database } from '../../src/storage/database.js';

/**
 * A listening gateway for the adversarial tests of findings 7–11: the real route plugins (certificates,
 * mappings, forwarding) on a real database, a Bearer token, and an upstream socket opener that records every
 * address it is asked for and refuses anything that is not loopback — so a test can assert that no socket
 * was opened, and nothing ever leaves 127.0.0.0/8 or ::1, even if the gateway under test were wrong.
 */

export const ACCOUNT = 'le1606809';

/** Names the upstream server certificate holds, so a resolver stub can point them at 127.0.0.1. */
export const TEST_HOST_NAMES = [
  'localhost',
  'api.example.com',
  'api.example.com.attacker.tld',
  'partner.test',
  'metadata.partner.test',
];

/** A test PKI: a CA for client certificates and upstream servers, written to a CA file for the gateway. */
export interface TestPki {
  p12s: P12Factory;
  serverCert: { certPem: string; keyPem: string; chainPem: string; commonName: string };
  caFile: string;
  cleanup(): Promise<void>;
}

export async function createTestPki(): Promise<TestPki> {
  const p12s = new P12Factory();
  const serverCert = p12s.ca.issue({
    commonName: 'localhost',
    kind: 'server',
    altNames: [...TEST_HOST_NAMES, '127.0.0.1', '::1'],
  });
  const directory = await mkdtemp(path.join(tmpdir(), 'mtls-adversarial-'));
  const caFile = path.join(directory, 'ca.pem');
  await writeFile(caFile, p12s.ca.certPem);
  return { p12s, serverCert, caFile, cleanup: () => rm(directory, { recursive: true, force: true }) };
}

/** A socket opener that records the address of every upstream connection and only ever opens loopback. */
export function loopbackOnlyOpener(): { factory: SocketOpenerFactory; sockets: string[] } {
  const sockets: string[] = [];
  return {
    sockets,
    factory: (options) => {
      const real = buildConnector(options);
      return (connectOptions, callback) => {
        sockets.push(connectOptions.hostname);
        if (connectOptions.hostname !== '127.0.0.1' && connectOptions.hostname !== '::1') {
          callback(new Error(`test opener: ${connectOptions.hostname} is not loopback`), null);
          return;
        }
        real(connectOptions, callback);
      };
    },
  };
}

/** A resolver stub: names from `table`, every other name unknown. Records each lookup. */
export function stubResolver(table: Record<string, string[]>): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const addresses = table[hostname.toLowerCase().replace(/\.$/, '')];
    if (!addresses) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    }
    return addresses.map((address) => ({
      address,
      family: address.includes(':') ? (6 as const) : (4 as const),
    }));
  };
  return Object.assign(resolve, { calls });
}

export interface AdversarialGateway {
  app: TestApp;
  /** Read + write on {@link ACCOUNT}. */
  token: string;
  /** Addresses the gateway asked to open upstream sockets to. */
  sockets: string[];
  /** Forwards a GET (or `method`) to `targetUrl` with the token; `headers` are added as they are. */
  forward(
    targetUrl: string,
    options?: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer },
  ): Promise<RawResponse>;
  /** A JSON call of the management API with the token. */
  api(method: string, pathname: string, body?: unknown): Promise<RawResponse>;
  close(): Promise<void>;
}

export interface AdversarialGatewayOptions {
  config?: Partial<GatewayConfig>;
  /** Environment for `loadConfig` (validated like a real start). */
  env?: Record<string, string>;
  resolve?: HostResolver;
  /** Replaces the certificate source (mapping lookup and key material). */
  source?: (context: GatewayContext) => CertificateSource;
}

export async function startAdversarialGateway(
  db: Database,
  pki: TestPki,
  options: AdversarialGatewayOptions = {},
): Promise<AdversarialGateway> {
  const { config, cleanup } = await testConfig(
    { egressAllow: ['127.0.0.1'], upstreamCaFile: pki.caFile, ...options.config },
    options.env,
  );
  const opener = loopbackOnlyOpener();
  const forwarding = createForwarding({
    openSocket: opener.factory,
    resolve: options.resolve ?? stubResolver({}),
    source: options.source,
    changePollIntervalMs: 100,
  });
  let app: TestApp;
  try {
    app = await startTestApp({
      db,
      config,
      routes: [
        certificateRoutes,
        createMappingRoutes({ validateUrl: forwarding.validateMappingUrl }),
        forwarding.routes,
      ],
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  const { token } = await app.context.auth.tokens.create({
    accounts: [ACCOUNT],
    permissions: ['MTLS_READ_INTERNAL', 'MTLS_WRITE_INTERNAL'],
  });
  return {
    app,
    token,
    sockets: opener.sockets,
    forward(targetUrl, request = {}) {
      return rawRequest(`${app.url}/mtls/account/${ACCOUNT}`, {
        method: request.method ?? 'GET',
        headers: { authorization: `Bearer ${token}`, 'LP-forward-url': targetUrl, ...request.headers },
        ...(request.body === undefined ? {} : { body: request.body }),
      });
    },
    api(method, pathname, body) {
      return rawRequest(`${app.url}${pathname}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
    async close() {
      await app.close();
      await cleanup();
    },
  };
}

/** Uploads a client certificate through the API and maps it to `url`; answers the certificate id. */
export async function uploadAndMap(
  gateway: AdversarialGateway,
  pki: TestPki,
  commonName: string,
  url: string,
  serviceName = 'WEBHOOKS',
): Promise<number> {
  const fixture = pki.p12s.valid(commonName, { keyIndex: 0 });
  const created = await gateway.api('POST', `/mtls/account/${ACCOUNT}/certificates`, [
    {
      name: `${commonName}-${Date.now()}`,
      p12: fixture.bytes.toString('base64'),
      password: fixture.password,
    },
  ]);
  if (created.status !== 201 && created.status !== 200) {
    throw new Error(`certificate upload failed: ${created.status} ${created.body}`);
  }
  const id = (JSON.parse(created.body) as { successfulySavedCertificates: Array<{ id: number }> })
    .successfulySavedCertificates[0]?.id as number;
  const mapped = await gateway.api('POST', `/mtls/account/${ACCOUNT}/certificates/activate/${id}`, {
    serviceName,
    url,
  });
  if (mapped.status !== 201) throw new Error(`mapping failed: ${mapped.status} ${mapped.body}`);
  return id;
}
