import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp, createGatewayContext, type OwnedGatewayContext } from '../../app.js';
import { type GatewayConfig, loadConfig } from '../../config/config.js';
import type { Database } from '../../storage/database.js';
import type { GatewayRoutePlugin } from '../context.js';
import { createLogger } from '../logging.js';

/**
 * Test helpers: a gateway app on a real database, listening on 127.0.0.1 on a free port.
 * Not part of the build (`testing/` is excluded).
 */

/** Collects log lines written by pino. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    callback();
  }

  get text(): string {
    return this.lines.join('\n');
  }
}

/** A test configuration: temporary data dir, a fresh master key, no rate limit, silent logs. */
export async function testConfig(overrides: Partial<GatewayConfig> = {}, env: Record<string, string> = {}) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'mtls-app-'));
  const config = loadConfig({
    env: {
      MTLS_DATA_DIR: dataDir,
      MTLS_MASTER_KEY: randomBytes(32).toString('base64'),
      MTLS_RATE_LIMIT_RPS: '0',
      LOG_LEVEL: 'silent',
      ...env,
    },
  });
  return {
    config: { ...config, ...overrides },
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
}

/** A running test app. */
export interface TestApp {
  app: FastifyInstance;
  context: OwnedGatewayContext;
  /** `http://127.0.0.1:<port>` */
  url: string;
  logs: LogCapture;
  close(): Promise<void>;
}

/** Options of {@link startTestApp}. */
export interface StartTestAppOptions {
  /** The (migrated) database to use. */
  db: Database;
  config: GatewayConfig;
  routes?: GatewayRoutePlugin[];
  /** Log level of the captured logger (default `info`). */
  logLevel?: string;
}

/** Builds the app on `db` and listens on 127.0.0.1:0. Logs are captured in `logs`. */
export async function startTestApp(options: StartTestAppOptions): Promise<TestApp> {
  const logs = new LogCapture();
  const logger = createLogger({ level: options.logLevel ?? 'info', destination: logs });
  const context = await createGatewayContext(options.config, { db: options.db, logger });
  const app = await buildApp(context, { routes: options.routes ?? [] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    context,
    url: `http://127.0.0.1:${port}`,
    logs,
    async close() {
      await app.close();
      await context.close();
    },
  };
}
