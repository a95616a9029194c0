import { Agent, type RequestInit as UndiciRequestInit, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { selfSignedServer, startTlsServer, type TestTlsServer } from '../../../../test/support/pki.js';
import { DiscoveryError } from '../errors.js';
import { clearDiscoveryCache } from './discovery.js';
import { createMtlsGatewayClient } from './gateway-client.js';
import type { MtlsGatewayLogEvent } from './logger.js';
import { type FakeGateway, sendJson, startFakeGateway } from './testing/fake-gateway.js';

// The discovered base URL is always https://{baseURI}, so the gateway here is a loopback HTTPS server with a
// self-signed certificate, trusted through an undici Agent; CSDS is a plain loopback HTTP server.
let csds: FakeGateway;
let httpsGateway: TestTlsServer;
let agent: Agent;

function trustingFetch(request: Request): Promise<Response> {
  // undici's own fetch (for its `dispatcher`) has its own Request class, so the request is passed as parts.
  const init = {
    method: request.method,
    headers: Object.fromEntries(request.headers),
    body: request.body,
    duplex: 'half',
    signal: request.signal,
    redirect: request.redirect,
    dispatcher: agent,
  } as UndiciRequestInit;
  return undiciFetch(request.url, init) as unknown as Promise<Response>;
}

function csdsAnswer(accountId: string, entries: Array<{ service: string; baseURI: string }>) {
  return { baseURIs: entries.map((entry) => ({ ...entry, account: accountId })) };
}

beforeAll(async () => {
  const certificate = selfSignedServer();
  agent = new Agent({ connect: { ca: certificate.certPem } });
  httpsGateway = await startTlsServer(certificate, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
  csds = await startFakeGateway();
});

afterAll(async () => {
  await csds.close();
  await httpsGateway.close();
  await agent.close();
});

beforeEach(() => {
  clearDiscoveryCache();
  csds.received.length = 0;
  httpsGateway.requests.length = 0;
  const host = `127.0.0.1:${httpsGateway.port}`;
  csds.handle((request, response) =>
    sendJson(
      response,
      200,
      csdsAnswer(request.path.split('/')[3] ?? '', [
        { service: 'agentVep', baseURI: 'va.agentvep.example' },
        { service: 'mtlsGateway', baseURI: host },
      ]),
    ),
  );
});

function discoveringClient(options: { ttlMs?: number; logger?: (event: MtlsGatewayLogEvent) => void } = {}) {
  return createMtlsGatewayClient({
    accountId: 'le1606809',
    discover: true,
    csdsBaseUrl: csds.url,
    auth: { bearer: 'gateway-token' },
    fetch: trustingFetch,
    ...(options.ttlMs === undefined ? {} : { discoveryTtlMs: options.ttlMs }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
}

describe('CSDS discovery', () => {
  it('finds the gateway from the mtlsGateway entry on the first call and asks CSDS once for two calls', async () => {
    const client = discoveringClient();
    expect(csds.received).toHaveLength(0); // lazily, on the first call

    await client.certificates.list();
    await client.mappings.list();

    expect(csds.received).toHaveLength(1);
    expect(csds.received[0]?.method).toBe('GET');
    expect(csds.received[0]?.path).toBe('/api/account/le1606809/service/baseURI.json');
    expect(csds.received[0]?.query.get('version')).toBe('1.0');
    expect(csds.received[0]?.headers.authorization).toBeUndefined();
    expect(httpsGateway.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /mtls/account/le1606809/certificates',
      'GET /mtls/account/le1606809/mappings',
    ]);
    expect(httpsGateway.requests[0]?.headers.authorization).toBe('Bearer gateway-token');
  });

  it('shares the cache between clients and concurrent first calls', async () => {
    await Promise.all([discoveringClient().certificates.list(), discoveringClient().mappings.list()]);
    expect(csds.received).toHaveLength(1);
    expect(httpsGateway.requests).toHaveLength(2);
  });

  it('discovers per account: forAccount looks up the other account', async () => {
    const client = discoveringClient();
    await client.certificates.list();
    await client.forAccount('le7777').certificates.list();
    expect(csds.received.map((request) => request.path)).toEqual([
      '/api/account/le1606809/service/baseURI.json',
      '/api/account/le7777/service/baseURI.json',
    ]);
  });

  it('asks CSDS again once the TTL has passed', async () => {
    const client = discoveringClient({ ttlMs: 30 });
    await client.certificates.list();
    await new Promise((resolve) => setTimeout(resolve, 60));
    await client.certificates.list();
    expect(csds.received).toHaveLength(2);
  });

  it('reports the discovery to the logger', async () => {
    const events: MtlsGatewayLogEvent[] = [];
    await discoveringClient({ logger: (event) => events.push(event) }).certificates.list();
    expect(events[0]).toMatchObject({
      type: 'discovery',
      accountId: 'le1606809',
      csdsBaseUrl: csds.url,
      baseUrl: `https://127.0.0.1:${httpsGateway.port}`,
    });
    expect(events.find((event) => event.type === 'request')).toMatchObject({
      url: `https://127.0.0.1:${httpsGateway.port}/mtls/account/le1606809/certificates`,
    });
  });

  it('throws DiscoveryError without an mtlsGateway entry, and does not cache the failure', async () => {
    csds.handle((_request, response) =>
      sendJson(
        response,
        200,
        csdsAnswer('le1606809', [{ service: 'agentVep', baseURI: 'va.agentvep.example' }]),
      ),
    );
    const client = discoveringClient();
    await expect(client.certificates.list()).rejects.toBeInstanceOf(DiscoveryError);
    await expect(client.certificates.list()).rejects.toThrow(/mtlsGateway/);
    expect(csds.received).toHaveLength(2);
    expect(httpsGateway.requests).toHaveLength(0);
  });

  it('refuses a baseURI that is more than a host', async () => {
    csds.handle((_request, response) =>
      sendJson(
        response,
        200,
        csdsAnswer('le1606809', [{ service: 'mtlsGateway', baseURI: 'evil.example/path' }]),
      ),
    );
    await expect(discoveringClient().certificates.list()).rejects.toBeInstanceOf(DiscoveryError);
  });

  it('throws DiscoveryError when CSDS answers an error', async () => {
    csds.handle((_request, response) => sendJson(response, 500, { error: 'down' }));
    const error = await discoveringClient()
      .certificates.list()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error).toMatchObject({ code: 'discovery_failed', status: 500 });
  });
});
