/**
 * The reference server as a contract target: the real app (the route plugins `mtls-gateway serve`
 * registers) over real HTTP on 127.0.0.1, on PGlite or on PostgreSQL (a unique schema), with a loopback
 * HTTPS upstream it is allowed to reach (`MTLS_EGRESS_ALLOW=127.0.0.1`, the upstream's CA in
 * `MTLS_UPSTREAM_CA_FILE`), tokens made with the server's own token store, and a second app on the same
 * database with a rate limit of 1 request per second for the 429 scenarios. Optionally behind a Prism
 * validation proxy.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDefaultRoutePlugins } from '../../../packages/reference-server/src/cli/route-plugins.js';
import {
  startTestApp,
  type TestApp,
  testConfig,
} from '../../../packages/reference-server/src/http/testing/test-app.js';
import {
  openTestPglite,
  openTestPostgres,
  type TestDatabase,
} from '../../../packages/reference-server/src/storage/testing/test-databases.js';
import { createTestCA } from '../../support/pki.js';
import { type Cleanup, runCleanups } from '../support/cleanups.js';
import type { ContractEnvironment, Target } from '../support/target.js';
import { type ContractUpstreamServer, startContractUpstream } from '../support/upstream.js';
import { type RunningPrismProxy, startPrismProxy } from './prism-proxy.js';

export const READ = 'MTLS_READ_INTERNAL';
export const WRITE = 'MTLS_WRITE_INTERNAL';

export interface ReferenceServerTargetOptions {
  engine: 'pglite' | 'postgres';
  /** Put `prism proxy --errors` in front of the server: every answer is also checked by Prism. */
  prismProxy?: boolean;
}

/** A running reference server target (the file's own tests may reach into it). */
export interface RunningReferenceServer {
  app: TestApp;
  rateLimitedApp: TestApp;
  database: TestDatabase;
  upstream: ContractUpstreamServer;
}

const FORWARDING_PENDING =
  'the forwarding plugin (forwarding + p12 test) is not registered by createDefaultRoutePlugins yet';

export function referenceServerTarget(options: ReferenceServerTargetOptions): Target & {
  running(): RunningReferenceServer;
} {
  const engineName = options.engine === 'pglite' ? 'PGlite' : 'PostgreSQL';
  let running: RunningReferenceServer | undefined;
  let proxy: RunningPrismProxy | undefined;
  const cleanups: Cleanup[] = [];

  return {
    name: options.prismProxy
      ? `reference server (${engineName}) behind prism proxy --errors`
      : `reference server (${engineName})`,
    running: () => {
      if (!running) throw new Error('the reference server target is not started');
      return running;
    },

    async start(): Promise<ContractEnvironment> {
      const database = options.engine === 'pglite' ? await openTestPglite() : await openTestPostgres();
      cleanups.unshift(['database', () => database.cleanup()]);
      const upstreamCa = createTestCA({ commonName: 'Contract Upstream CA' });
      const upstream = await startContractUpstream(upstreamCa, upstreamCa);
      cleanups.unshift(['upstream', () => upstream.close()]);
      const caDir = await mkdtemp(path.join(tmpdir(), 'mtls-contract-ca-'));
      cleanups.unshift(['CA directory', () => rm(caDir, { recursive: true, force: true })]);
      const caFile = path.join(caDir, 'upstream-ca.pem');
      await writeFile(caFile, upstreamCa.certPem);

      const { config, cleanup } = await testConfig(
        {},
        { MTLS_EGRESS_ALLOW: '127.0.0.1', MTLS_UPSTREAM_CA_FILE: caFile },
      );
      cleanups.unshift(['data directory', cleanup]);
      const app = await startTestApp({
        db: database.db,
        config,
        routes: createDefaultRoutePlugins(),
        logLevel: 'warn',
      });
      cleanups.unshift(['app', () => app.close()]);
      const rateLimitedApp = await startTestApp({
        db: database.db,
        config: { ...config, rateLimitRps: 1 },
        routes: createDefaultRoutePlugins(),
        logLevel: 'warn',
      });
      cleanups.unshift(['rate-limited app', () => rateLimitedApp.close()]);
      running = { app, rateLimitedApp, database, upstream };

      const accountId = 'le-contract-1';
      const otherAccountId = 'le-contract-2';
      const tokens = app.context.auth.tokens;
      const { token } = await tokens.create({ accounts: [accountId], permissions: [READ, WRITE] });
      const { token: readOnlyToken } = await tokens.create({ accounts: [accountId], permissions: [READ] });
      const { token: allAccountsToken } = await tokens.create({
        accounts: ['*'],
        permissions: [READ, WRITE],
      });

      const forwarding = app.app.hasRoute({ method: 'GET', url: '/mtls/account/:accountId' });
      const unsupported: ContractEnvironment['unsupported'] = forwarding
        ? {}
        : {
            forwarding: FORWARDING_PENDING,
            forwardTarget: FORWARDING_PENDING,
            upstream: FORWARDING_PENDING,
            transportFailure: FORWARDING_PENDING,
          };

      let baseUrl = app.url;
      let extraCheck: ContractEnvironment['extraCheck'];
      if (options.prismProxy) {
        proxy = await startPrismProxy(app.url);
        cleanups.unshift(['prism proxy', () => proxy?.close() ?? Promise.resolve()]);
        baseUrl = proxy.url;
        extraCheck = proxy.check;
        Object.assign(unsupported, proxy.unsupported);
      }
      return {
        baseUrl,
        accountId,
        token,
        readOnlyToken,
        allAccountsToken,
        otherAccountId,
        upstream: { url: upstream.url, unreachableUrl: upstream.unreachableUrl },
        rateLimitedBaseUrl: rateLimitedApp.url,
        limits: { bodyBytes: config.bodyLimitBytes },
        extraCheck,
        unsupported,
        unsupportedOperations: proxy?.unsupportedOperations,
        skipScenarios: proxy?.skipScenarios,
      };
    },

    async stop() {
      await runCleanups(cleanups.splice(0));
      running = undefined;
    },
  };
}
