// Passthrough mode in Node (msw/node): the chosen operations are answered by the mock, every other request to
// the gateway's paths reaches a real HTTP server on loopback, even with onUnhandledRequest: 'error'.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createMockHandlers } from './handlers.js';
import { setupMockServer } from './node.js';
import { selectOperations } from './operation-selection.js';
import { OPERATION_IDS } from './spec.js';
import { createMockState } from './state.js';

const ACCOUNT = 'le1606809';
const AUTH = { Authorization: 'Bearer t' };

// The "real gateway": answers everything with what it received, on 127.0.0.1 only.
let gateway: Server;
let gatewayUrl: string;
const received: Array<{ method: string; url: string }> = [];

beforeAll(async () => {
  gateway = createServer((request, response) => {
    received.push({ method: request.method ?? '', url: request.url ?? '' });
    response.writeHead(200, { 'Content-Type': 'application/json', 'X-Real-Gateway': 'yes' });
    response.end(JSON.stringify({ real: true }));
  });
  gateway.listen(0, '127.0.0.1');
  await once(gateway, 'listening');
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
});

afterAll(async () => {
  gateway.close();
  await once(gateway, 'close');
});

afterEach(() => {
  received.length = 0;
});

const accountUrl = () => `${gatewayUrl}/mtls/account/${ACCOUNT}`;

describe('operations: [...] (only these are mocked)', () => {
  const mock = setupMockServer({
    state: createMockState({ certificates: [{ accountId: ACCOUNT, name: 'Mocked' }] }),
    operations: ['listCertificates', 'createCertificates', 'updateCertificate'],
  });
  beforeAll(() => mock.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => mock.reset());
  afterAll(() => mock.close());

  test('a mocked operation is answered by the mock; the real gateway sees nothing', async () => {
    const response = await fetch(`${accountUrl()}/certificates`, { headers: AUTH });
    expect(response.headers.get('X-Request-Id')).toMatch(/^req-mock-/);
    expect(await response.json()).toMatchObject([{ name: 'Mocked' }]);
    expect(received).toEqual([]);
    expect(mock.state.calls.map((call) => call.operationId)).toEqual(['listCertificates']);
  });

  test('an operation not mocked reaches the real gateway, untouched', async () => {
    const response = await fetch(`${accountUrl()}/mappings?x=1`, { headers: AUTH });
    expect(response.headers.get('X-Real-Gateway')).toBe('yes');
    expect(await response.json()).toEqual({ real: true });
    expect(received).toEqual([{ method: 'GET', url: `/mtls/account/${ACCOUNT}/mappings?x=1` }]);
    expect(mock.state.calls).toEqual([]);
  });

  test('a passed-through static route is not caught by a mocked {certificateId} route', async () => {
    const form = new FormData();
    form.set('id', '1');
    const response = await fetch(`${accountUrl()}/certificates/byFile`, {
      method: 'PUT',
      headers: AUTH,
      body: form,
    });
    expect(await response.json()).toEqual({ real: true });
    expect(received).toEqual([{ method: 'PUT', url: `/mtls/account/${ACCOUNT}/certificates/byFile` }]);
    // …while the mocked one still answers its own path.
    const mocked = await fetch(`${accountUrl()}/certificates/123`, {
      method: 'PUT',
      headers: { ...AUTH, 'Content-Type': 'application/json' },
      body: JSON.stringify({ p12: 'AAAA', password: 'x' }),
    });
    expect(mocked.headers.get('LP-gateway-error')).not.toBeNull();
    expect(received).toHaveLength(1);
  });

  test('paths the spec does not have go to the real gateway too (it answers its own 404)', async () => {
    await fetch(`${accountUrl()}/nothing-here`, { headers: AUTH });
    expect(received).toEqual([{ method: 'GET', url: `/mtls/account/${ACCOUNT}/nothing-here` }]);
  });
});

describe('operations: { except: [...] } (all but these are mocked)', () => {
  const mock = setupMockServer({ operations: { except: ['getHealth'] } });
  beforeAll(() => mock.listen());
  afterAll(() => mock.close());

  test('the excepted operation reaches the real gateway; the others are mocked', async () => {
    expect(await (await fetch(`${gatewayUrl}/healthz`)).json()).toEqual({ real: true });
    expect(await (await fetch(`${gatewayUrl}/readyz`, { headers: AUTH })).json()).toMatchObject({
      status: 'ok',
    });
    expect(received).toEqual([{ method: 'GET', url: '/healthz' }]);
  });
});

describe('the option', () => {
  test('every operation is mocked by default, with the 404 of unknown paths', async () => {
    const state = createMockState();
    const handlers = createMockHandlers(state);
    const unknown = await getResponse(
      handlers,
      new Request('https://gw.example.com/mtls/nope', { headers: AUTH }),
    );
    expect(unknown?.status).toBe(404);
    expect(handlers).toHaveLength(OPERATION_IDS.length + 2);
  });

  test('an unknown operationId is a compile error and a runtime TypeError', () => {
    const state = createMockState();
    // @ts-expect-error: not an operationId of the spec
    expect(() => createMockHandlers(state, { operations: ['listCertificate'] })).toThrow(
      /operations names "listCertificate", not an operationId of the spec/,
    );
    // @ts-expect-error: not an operationId of the spec
    expect(() => createMockHandlers(state, { operations: { except: ['forwardAll'] } })).toThrow(TypeError);
    expect(() => createMockHandlers(state, { operations: 'listCertificates' as never })).toThrow(
      /must be an array of operationIds or \{ except/,
    );
  });

  test('selectOperations keeps the spec’s order', () => {
    expect([...selectOperations(['getHealth', 'forwardGet'])]).toEqual(['forwardGet', 'getHealth']);
    expect(selectOperations({ except: [] }).size).toBe(OPERATION_IDS.length);
    expect(selectOperations([]).size).toBe(0);
  });
});
