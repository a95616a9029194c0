/**
 * A third-party reading of the spec: Portman (`@apideck/portman`) generates a Postman collection from the
 * bundled spec — one request per operation with contract tests (status, content type, JSON body, JSON schema,
 * required headers) and the variations of `portman-config.yaml` (401, 403, OAuth 1.0a, fuzzed headers and
 * bodies, 404, 409, 415, 424, the remote's own answers under the gateway's statuses) — and Newman runs it
 * against the reference server, in-process on 127.0.0.1 with a fresh PGlite database and an HTTPS upstream on
 * 127.0.0.1. Every assertion must pass: a failure is either a bug of the server or a place where the spec says
 * less than the truth.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createMtlsGatewayClient } from '@mtls-gateway/sdk';
import newman, { type NewmanRunSummary } from 'newman';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDefaultRoutePlugins } from '../../packages/reference-server/src/cli/route-plugins.js';
import {
  startTestApp,
  type TestApp,
  testConfig,
} from '../../packages/reference-server/src/http/testing/test-app.js';
import {
  openTestPglite,
  type TestDatabase,
} from '../../packages/reference-server/src/storage/testing/test-databases.js';
import { type Cleanup, runCleanups } from '../contract/support/cleanups.js';
import { createFixtures } from '../contract/support/fixtures.js';
import { findOperation, SPEC_PATH, specOperations } from '../contract/support/spec.js';
import { type ContractUpstreamServer, startContractUpstream } from '../contract/support/upstream.js';
import { createTestCA } from '../support/pki.js';

const CONFIG_PATH = fileURLToPath(new URL('./portman-config.yaml', import.meta.url));
/** openapi-to-postman's options: Portman's defaults, with the optional parameters sent (their examples). */
const POSTMAN_CONFIG_PATH = fileURLToPath(new URL('./postman-config.json', import.meta.url));
const PORTMAN_CLI = createRequire(import.meta.url).resolve('@apideck/portman/bin/portman');
const READ = 'MTLS_READ_INTERNAL';
const WRITE = 'MTLS_WRITE_INTERNAL';
const ACCOUNT = 'le-portman-1';
/** The file the `file` parts of the collection read (relative to Newman's working directory). */
const P12_FILE = 'client.p12';
/** The request header whose URL the server calls (forwarding, the p12 test). */
const OUTBOUND_URL_HEADER = 'lp-forward-url';

/** A Postman collection, loosely typed (only what the test reads or changes). */
interface PostmanItem {
  name: string;
  item?: PostmanItem[];
  request?: {
    method: string;
    url: { path?: string[] } | string;
    header?: Array<{ key: string; value: string; disabled?: boolean }>;
    body?: {
      mode?: string;
      raw?: string;
      formdata?: Array<{ key: string; type?: string; value?: string; src?: string; contentType?: string }>;
    };
  };
}
interface PostmanCollection {
  item: PostmanItem[];
}

function requestsOf(items: PostmanItem[], folder = ''): Array<{ folder: string; item: PostmanItem }> {
  return items.flatMap((item) =>
    item.item ? requestsOf(item.item, folder || item.name) : item.request ? [{ folder, item }] : [],
  );
}

/** The operationId of a request (Postman writes path variables as `:name`). */
function operationOf(item: PostmanItem): string | undefined {
  const request = item.request;
  if (!request || typeof request.url === 'string') return undefined;
  const pathname = `/${(request.url.path ?? []).map((segment) => segment.replace(/^:.+$/, 'x')).join('/')}`;
  return findOperation(request.method, pathname)?.operationId;
}

/**
 * openapi-to-postman types a multipart part as a file only when the form schema lists it in its own
 * `properties`; the certificate file forms are a `oneOf` of their two shapes, so their `file` part comes out
 * as a text field. It is made a file part again here.
 */
function makeFileParts(collection: PostmanCollection): void {
  for (const { item } of requestsOf(collection.item)) {
    for (const part of item.request?.body?.formdata ?? []) {
      if (part.key !== 'file') continue;
      part.type = 'file';
      part.src = P12_FILE;
      delete part.value;
    }
  }
}

/**
 * Every URL the server would call must point at the loopback upstream: `LP-forward-url` of every request and
 * the mapping URL that activateMapping validates with a real call. Anything else fails the test before
 * Newman sends a request.
 */
function outboundUrlsOffLoopback(collection: PostmanCollection): string[] {
  const isUrl = (value: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
  const onLoopback = (value: string) => {
    if (/^\{\{(upstreamUrl|unreachableUrl)\}\}/.test(value)) return true;
    try {
      return /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(new URL(value).hostname);
    } catch {
      return false;
    }
  };
  const offending: string[] = [];
  for (const { item } of requestsOf(collection.item)) {
    for (const header of item.request?.header ?? []) {
      const value = header.value ?? '';
      if (header.key.toLowerCase() !== OUTBOUND_URL_HEADER || header.disabled) continue;
      if (onLoopback(value)) continue;
      // A fuzzed value that is no URL at all is refused (400) before anything is sent.
      if (isUrl(value) || value.includes('{{')) offending.push(`${item.name}: LP-forward-url ${value}`);
    }
    if (operationOf(item) === 'activateMapping') {
      for (const match of (item.request?.body?.raw ?? '').matchAll(/"url"\s*:\s*"([^"]*)"/g)) {
        const url = match[1] ?? '';
        if (isUrl(url) && !onLoopback(url)) offending.push(`${item.name}: mapping url ${url}`);
      }
    }
  }
  return offending;
}

function runNewman(options: newman.NewmanRunOptions): Promise<NewmanRunSummary> {
  return new Promise((resolve, reject) => {
    newman.run(options, (error, summary) => (error ? reject(error) : resolve(summary)));
  });
}

describe('Portman contract tests and variations, run by Newman against the reference server', () => {
  const cleanups: Cleanup[] = [];
  let app: TestApp;
  let database: TestDatabase;
  let upstream: ContractUpstreamServer;
  let workDir: string;
  const variables: Record<string, string> = {};

  beforeAll(async () => {
    const fixtures = createFixtures();
    database = await openTestPglite();
    cleanups.unshift(['database', () => database.cleanup()]);
    const upstreamCa = createTestCA({ commonName: 'Portman Upstream CA' });
    upstream = await startContractUpstream(upstreamCa, fixtures.clientCa);
    cleanups.unshift(['upstream', () => upstream.close()]);
    workDir = await mkdtemp(path.join(tmpdir(), 'mtls-portman-'));
    cleanups.unshift(['work directory', () => rm(workDir, { recursive: true, force: true })]);
    const caFile = path.join(workDir, 'upstream-ca.pem');
    await writeFile(caFile, upstreamCa.certPem);

    const { config, cleanup } = await testConfig(
      {},
      { MTLS_EGRESS_ALLOW: '127.0.0.1', MTLS_UPSTREAM_CA_FILE: caFile },
    );
    cleanups.unshift(['data directory', cleanup]);
    app = await startTestApp({
      db: database.db,
      config,
      routes: createDefaultRoutePlugins(),
      logLevel: 'warn',
    });
    cleanups.unshift(['app', () => app.close()]);

    const { tokens, credentials } = app.context.auth;
    const { token } = await tokens.create({ accounts: [ACCOUNT], permissions: [READ, WRITE] });
    const { token: readOnlyToken } = await tokens.create({ accounts: [ACCOUNT], permissions: [READ] });
    const { token: allAccountsToken } = await tokens.create({ accounts: ['*'], permissions: [READ, WRITE] });
    const oauth = await credentials.create({ accounts: [ACCOUNT], permissions: [READ, WRITE] });

    // What the generated requests need: two certificates (one is deleted by deleteCertificate), the mapping
    // forwarding uses (WEBHOOKS, every URL under the upstream's /portman/), and one mapping to delete.
    const p12 = fixtures.p12({ commonName: 'portman-client' });
    await writeFile(path.join(workDir, P12_FILE), p12.bytes);
    await writeFile(path.join(workDir, 'body.json'), '{"ping":true}');
    const client = createMtlsGatewayClient({
      baseUrl: app.url,
      accountId: ACCOUNT,
      auth: { bearer: token },
      maxRetries: 0,
    });
    const upload = async (name: string) => {
      const saved = await client.certificates.create({ name, p12: p12.bytes, password: p12.password });
      const [certificate] = saved.successfulySavedCertificates;
      if (!certificate) throw new Error(`seeding ${name} saved nothing: ${JSON.stringify(saved)}`);
      return certificate;
    };
    const certificate = await upload('portman-seeded');
    const doomed = await upload('portman-seeded-to-delete');
    await client.mappings.activate(certificate.id, {
      serviceName: 'WEBHOOKS',
      url: `${upstream.url}/portman/*`,
    });
    const doomedMapping = await client.mappings.activate(certificate.id, {
      serviceName: 'IDP',
      url: `${upstream.url}/portman-mapping-to-delete`,
    });

    Object.assign(variables, {
      baseUrl: app.url,
      accountId: ACCOUNT,
      bearerToken: token,
      readOnlyToken,
      allAccountsToken,
      oauthConsumerKey: oauth.consumerKey,
      oauthConsumerSecret: oauth.consumerSecret,
      certificateId: String(certificate.id),
      deleteCertificateId: String(doomed.id),
      mappingId: String(doomedMapping.id),
      mappedCertificateName: certificate.name,
      upstreamUrl: upstream.url,
      unreachableUrl: upstream.unreachableUrl,
      p12Base64: Buffer.from(p12.bytes).toString('base64'),
      p12Password: p12.password,
    });
  });

  afterAll(async () => {
    await runCleanups(cleanups.splice(0));
  });

  test('every assertion of the generated collection passes', { timeout: 300_000 }, async () => {
    // Portman runs in its own process and directory: it writes ./tmp and may exit the process on an error.
    const collectionPath = path.join(workDir, 'collection.json');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        PORTMAN_CLI,
        '--local',
        SPEC_PATH,
        '--portmanConfigFile',
        CONFIG_PATH,
        '--postmanConfigFile',
        POSTMAN_CONFIG_PATH,
        '--output',
        collectionPath,
        '--baseUrl',
        '{{baseUrl}}',
        '--includeTests',
        'true',
        '--runNewman',
        'false',
      ],
      {
        cwd: workDir,
        env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', FORCE_COLOR: '0' },
        timeout: 120_000,
      },
    );
    // A target of the configuration that the spec does not have is a configuration gone stale.
    expect(stdout, stdout).not.toMatch(/targets are missing from the OpenAPI specification/);

    const collection = JSON.parse(await readFile(collectionPath, 'utf8')) as PostmanCollection;
    makeFileParts(collection);
    expect(outboundUrlsOffLoopback(collection)).toEqual([]);

    // Every operation of the spec is requested outside the variations.
    const requests = requestsOf(collection.item);
    const requested = new Set(
      requests.filter(({ folder }) => folder !== 'Variation Tests').map(({ item }) => operationOf(item)),
    );
    const unrequested = specOperations
      .map((operation) => operation.operationId)
      .filter((operationId) => !requested.has(operationId));
    expect(unrequested).toEqual([]);

    const summary = await runNewman({
      collection: collection as unknown as newman.NewmanRunOptions['collection'],
      envVar: Object.entries(variables).map(([key, value]) => ({ key, value })),
      workingDir: workDir,
      reporters: [],
      ignoreRedirects: true,
      timeoutRequest: 30_000,
    });
    const { stats, failures } = summary.run;
    if (process.env.MTLS_PORTMAN_VERBOSE) {
      for (const execution of summary.run.executions) {
        console.log(`${execution.response?.code ?? '-'} ${execution.item.name}`);
      }
    }
    const lines = failures.map(
      (failure) =>
        `${failure.source?.name ?? '(collection)'}: ${failure.error.test ?? failure.error.name} — ${failure.error.message}`,
    );
    console.log(
      `Portman/Newman: ${stats.requests.total} requests, ${stats.assertions.total} assertions, ` +
        `${stats.assertions.failed} failed${lines.length > 0 ? `\n${lines.join('\n')}` : ''}`,
    );
    expect(summary.error).toBeUndefined();
    expect(lines).toEqual([]);
    expect(stats.requests.failed ?? 0).toBe(0);
    expect(stats.assertions.total ?? 0).toBeGreaterThan(0);
  });
});
