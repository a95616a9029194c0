import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { SignJWT } from 'jose';
import { fetch } from 'undici';
import { ACCOUNT } from '../adversarial/hardening-fixture.js';

/**
 * Helpers of the outage tests: a JWT (its verification needs no database, so forwarding can be checked while
 * the database is gone), a load loop that records every answer, and a loopback TCP proxy that can be stopped
 * and started again on the same port (a dependency that goes away and comes back).
 */

export const JWT_ENV = {
  MTLS_JWT_SECRET: 'outage-tests-hs256-secret-0123456789abcdef',
  MTLS_JWT_ISSUER: 'https://idp.outage.test/',
  MTLS_JWT_AUDIENCE: 'mtls-gateway',
};

/** A read + write JWT for {@link ACCOUNT} and `le-writes`, valid for 10 minutes. */
export function readWriteJwt(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    accounts: [ACCOUNT, 'le-writes'],
    permissions: ['MTLS_READ_INTERNAL', 'MTLS_WRITE_INTERNAL'],
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('outage-test')
    .setIssuer(JWT_ENV.MTLS_JWT_ISSUER)
    .setAudience(JWT_ENV.MTLS_JWT_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(JWT_ENV.MTLS_JWT_SECRET));
}

/** Longest a request may take before the test calls it a hang. */
export const REQUEST_BOUND_MS = 15_000;

/** One answer seen by a load loop. */
export interface Sample {
  kind: string;
  startedAt: number;
  endedAt: number;
  status: number;
  /** `LP-gateway-error` of the answer. */
  code: string | null;
  retryAfter: string | null;
  body: string;
}

/** Sends one request (undici `fetch`), bounded by {@link REQUEST_BOUND_MS} + 5 s so a hang is recorded. */
export async function timedRequest(
  kind: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Sample> {
  const startedAt = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_BOUND_MS + 5_000) });
    const body = await response.text();
    return {
      kind,
      startedAt,
      endedAt: performance.now(),
      status: response.status,
      code: response.headers.get('lp-gateway-error'),
      retryAfter: response.headers.get('retry-after'),
      body,
    };
  } catch (error) {
    return {
      kind,
      startedAt,
      endedAt: performance.now(),
      status: 0,
      code: null,
      retryAfter: null,
      body: String(error),
    };
  }
}

/** Runs `step` back to back (with a short pause) until stopped; keeps every sample. */
export function loadLoop(step: () => Promise<Sample>, pauseMs = 25) {
  const samples: Sample[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      samples.push(await step());
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  return {
    samples,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** Samples that started at or after `from` and ended at or before `to`. */
export function within(samples: readonly Sample[], from: number, to: number): Sample[] {
  return samples.filter((sample) => sample.startedAt >= from && sample.endedAt <= to);
}

/** A short summary: count per status/code and the slowest request, for the test output. */
export function summarize(samples: readonly Sample[]): string {
  const counts = new Map<string, number>();
  for (const sample of samples) {
    const key = `${sample.kind} ${sample.status}${sample.code ? ` ${sample.code}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const slowest = Math.max(0, ...samples.map((sample) => sample.endedAt - sample.startedAt));
  return `${[...counts].map(([key, count]) => `${key}: ${count}`).join(', ')}; slowest ${Math.round(slowest)} ms`;
}

/** Polls `check` every 50 ms until it answers true; resolves with the elapsed milliseconds. */
export async function timeUntil(check: () => Promise<boolean>, limitMs: number): Promise<number> {
  const startedAt = performance.now();
  while (performance.now() - startedAt < limitMs) {
    if (await check()) return performance.now() - startedAt;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not recovered within ${limitMs} ms`);
}

/** A loopback TCP proxy to `127.0.0.1:targetPort` that can be stopped (connections refused) and restarted. */
export interface StoppableProxy {
  /** `http://127.0.0.1:<port>` */
  readonly address: string;
  /** Closes the listener and destroys every proxied connection. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

export async function startStoppableProxy(targetPort: number): Promise<StoppableProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server: Server = createServer((client) => {
    track(client);
    const upstream = connect(targetPort, '127.0.0.1');
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    address: `http://127.0.0.1:${port}`,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async start() {
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
  };
}
