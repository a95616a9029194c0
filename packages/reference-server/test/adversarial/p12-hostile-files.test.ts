import { Client, FormData, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macCostCapFile, pbmac1KeyLengthBomb } from '../../../sdk/src/p12/testing/hostile-p12.js';
import { certificateRoutes } from '../../src/certificates/index.js';
import { P12Factory } from '../../src/certificates/testing/p12-fixtures.js';
import type { GatewayConfig } from '../../src/config/config.js';
import { createForwarding } from '../../src/forwarding/index.js';
import { startTestApp, type TestApp, testConfig } from '../../src/http/testing/test-app.js';
import { migrate } from '../../src/storage/migrations.js';
import { openTestPglite, type TestDatabase } from '../../src/storage/testing/test-databases.js';

// Findings 1 and 2 of the hardening issue: hostile PKCS#12 files sent with real HTTP clients (undici over
// TCP) to a listening gateway. Each must be refused (400 p12_too_costly, or the first item's own code)
// without stalling the event loop: /healthz is probed while it runs and its worst latency printed (not
// asserted: the machine is shared). Network rule: everything is on 127.0.0.1; the p12 test's forward URL
// is never called (the file is refused first).

const ACCOUNT = 'le1606809';
const pki = new P12Factory();

interface Gateway {
  app: TestApp;
  writeToken: string;
  readToken: string;
  close(): Promise<void>;
}

let database: TestDatabase;

async function startGateway(overrides: Partial<GatewayConfig> = {}): Promise<Gateway> {
  const { config, cleanup } = await testConfig({ egressAllow: ['127.0.0.1'], ...overrides });
  const app = await startTestApp({
    db: database.db,
    config,
    routes: [certificateRoutes, createForwarding().routes],
  });
  const write = await app.context.auth.tokens.create({
    accounts: [ACCOUNT],
    permissions: ['MTLS_READ_INTERNAL', 'MTLS_WRITE_INTERNAL'],
  });
  const read = await app.context.auth.tokens.create({
    accounts: [ACCOUNT],
    permissions: ['MTLS_READ_INTERNAL'],
  });
  return {
    app,
    writeToken: write.token,
    readToken: read.token,
    async close() {
      await app.close();
      await cleanup();
    },
  };
}

/**
 * Runs `attack` while probing `/healthz` on its own keep-alive connection; prints and returns the worst
 * probe latency and how many probes answered.
 */
async function whileProbingHealth<T>(
  gateway: Gateway,
  label: string,
  attack: () => Promise<T>,
): Promise<{ result: T; probes: number; worstMs: number }> {
  const client = new Client(gateway.app.url);
  let running = true;
  let probes = 0;
  let worstMs = 0;
  const probing = (async () => {
    while (running) {
      const started = performance.now();
      const response = await client.request({ method: 'GET', path: '/healthz' });
      await response.body.dump();
      expect(response.statusCode).toBe(200);
      worstMs = Math.max(worstMs, performance.now() - started);
      probes++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    const result = await attack();
    return { result, probes, worstMs };
  } finally {
    running = false;
    await probing;
    await client.close();
    console.log(
      `healthz worst latency during ${label}: ${Math.round(worstMs)} ms (${probes} probes answered)`,
    );
  }
}

interface Problem {
  code: string;
  status: number;
  detail: string;
  errors?: Array<{ location: string; name?: string; message: string }>;
}

async function problemOf(response: Awaited<ReturnType<typeof fetch>>): Promise<Problem> {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const problem = (await response.json()) as Problem;
  expect(response.headers.get('lp-gateway-error')).toBe(problem.code);
  return problem;
}

function createRequest(gateway: Gateway, items: Array<{ name: string; p12: Uint8Array; password: string }>) {
  return fetch(`${gateway.app.url}/mtls/account/${ACCOUNT}/certificates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.writeToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(items.map((item) => ({ ...item, p12: Buffer.from(item.p12).toString('base64') }))),
  });
}

/** The SHA-512 MAC at the 200,000-iteration cap, keyed with no password: seconds of work per file. */
const costCapFile = macCostCapFile();

beforeAll(async () => {
  database = await openTestPglite();
  await migrate(database.db);
});

afterAll(async () => {
  await database?.cleanup();
});

describe('hostile PKCS#12 files against a listening gateway', () => {
  let gateway: Gateway;

  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('refuses the 161-byte PBMAC1 file (a 512 MiB key) sent to the p12 test with a read-only token', async () => {
    const bomb = pbmac1KeyLengthBomb();
    expect(bomb.length).toBe(161);
    const { result: response } = await whileProbingHealth(gateway, 'the 161-byte PBMAC1 p12 test', () => {
      const form = new FormData();
      form.append('file', new Blob([Uint8Array.from(bomb)], { type: 'application/x-pkcs12' }), 'a.p12');
      form.append('password', '');
      return fetch(`${gateway.app.url}/mtls/account/${ACCOUNT}/p12-test/multipart`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${gateway.readToken}`,
          'LP-forward-url': 'https://127.0.0.1:9/never-called',
        },
        body: form,
      });
    });
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem).toMatchObject({
      code: 'p12_too_costly',
      errors: [{ location: 'body', name: 'file', message: expect.stringContaining('536870912 bytes') }],
    });
  }, 60_000);

  it('refuses a create of 100 cost-cap files (SHA-512 MAC at the cap, empty passwords) after the first', async () => {
    const opened = gateway.app.context.p12Workers.started;
    const items = Array.from({ length: 100 }, (_, index) => ({
      name: `costly-${index}`,
      p12: costCapFile,
      password: '',
    }));
    const { result: response } = await whileProbingHealth(gateway, '100 cost-cap files', () =>
      createRequest(gateway, items),
    );
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    // Within the deadline the file opens and holds nothing; past it, it is too costly. Either way item 0.
    expect(['p12_too_costly', 'p12_no_private_key']).toContain(problem.code);
    expect(problem.errors).toEqual([{ location: 'body', name: '/0/p12', message: expect.any(String) }]);
    expect(problem.detail).toContain('The 99 items after it were not checked.');
    expect(gateway.app.context.p12Workers.started - opened).toBe(1);
  }, 120_000);

  it('stops a batch at its first, unusable file: none of the costly files after it is opened', async () => {
    const opened = gateway.app.context.p12Workers.started;
    const items = [
      { name: 'bomb', p12: pbmac1KeyLengthBomb(), password: '' },
      ...Array.from({ length: 99 }, (_, index) => ({
        name: `costly-${index}`,
        p12: costCapFile,
        password: '',
      })),
    ];
    const { result: response } = await whileProbingHealth(gateway, 'a batch led by the PBMAC1 file', () =>
      createRequest(gateway, items),
    );
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem).toMatchObject({
      code: 'p12_too_costly',
      errors: [{ location: 'body', name: '/0/p12', message: expect.stringMatching(/^p12_too_costly: /) }],
    });
    expect(problem.detail).toMatch(/^Item 0 \("bomb"\): /);
    expect(gateway.app.context.p12Workers.started - opened).toBe(1);
  }, 60_000);

  it('is still alive afterwards: health answers and a normal file uploads', async () => {
    const health = await fetch(`${gateway.app.url}/healthz`);
    expect(health.status).toBe(200);
    const fixture = pki.valid('after the attacks', { keyIndex: 0 });
    const response = await createRequest(gateway, [
      { name: 'after the attacks', p12: fixture.bytes, password: fixture.password },
    ]);
    expect(response.status).toBe(201);
  }, 60_000);
});

describe('a flood of costly files', () => {
  let gateway: Gateway;

  beforeAll(async () => {
    // One thread, a short deadline: a queue of 8 fills quickly.
    gateway = await startGateway({ p12Workers: { threads: 1, timeoutMs: 300 } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('answers 503 unavailable with Retry-After beyond the queue, each file within its deadline', async () => {
    const { result: responses } = await whileProbingHealth(gateway, '12 concurrent cost-cap uploads', () =>
      Promise.all(
        Array.from({ length: 12 }, (_, index) =>
          createRequest(gateway, [{ name: `flood-${index}`, p12: costCapFile, password: '' }]),
        ),
      ),
    );
    const outcomes = await Promise.all(
      responses.map(async (response) => ({
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        code: (await problemOf(response)).code,
      })),
    );
    const refusedAsBusy = outcomes.filter((outcome) => outcome.status === 503);
    const tooCostly = outcomes.filter((outcome) => outcome.status === 400);
    expect(refusedAsBusy.length + tooCostly.length).toBe(12);
    expect(refusedAsBusy.length).toBeGreaterThan(0);
    for (const outcome of refusedAsBusy)
      expect(outcome).toMatchObject({ code: 'unavailable', retryAfter: '1' });
    for (const outcome of tooCostly) expect(outcome.code).toBe('p12_too_costly');
    expect((await fetch(`${gateway.app.url}/healthz`)).status).toBe(200);
  }, 120_000);
});
