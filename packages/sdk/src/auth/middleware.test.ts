import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAuthorizationHeader, signatureBaseString, signHmac } from '@mtls-gateway/contract/oauth1';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearerMiddleware, oauth1Middleware } from './middleware.js';

interface paths {
  '/mtls/account/{accountId}/certificates': {
    get: {
      parameters: { path: { accountId: string }; query?: { tag?: string[]; q?: string } };
      responses: { 200: { content: { 'application/json': { ok: boolean } } } };
    };
  };
  '/oauth/form': {
    post: {
      requestBody: { content: { 'application/x-www-form-urlencoded': { a: string; b: string } } };
      responses: { 200: { content: { 'application/json': { ok: boolean } } } };
    };
  };
  '/json': {
    post: {
      requestBody: { content: { 'application/json': { name: string } } };
      responses: { 200: { content: { 'application/json': { ok: boolean } } } };
    };
  };
}

interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const CONSUMER = { consumerKey: 'app-key', consumerSecret: 'consumer s3cret&+' };
const TOKEN = { token: 'access-token', tokenSecret: 'token/s3cret' };

let server: Server;
let baseUrl: string;
const received: ReceivedRequest[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

beforeEach(() => {
  received.length = 0;
});

function lastReceived(): ReceivedRequest {
  const request = received.at(-1);
  if (!request) throw new Error('the server received no request');
  return request;
}

/** Verifies the OAuth signature the way a server does, from nothing but what arrived on the wire. */
async function signatureMatches(
  request: ReceivedRequest,
  overrides: { url?: string } = {},
): Promise<boolean> {
  const params = parseAuthorizationHeader(request.headers.authorization ?? '');
  const isForm = request.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ?? false;
  const baseString = signatureBaseString({
    method: request.method,
    url: `http://${request.headers.host}${overrides.url ?? request.url}`,
    oauthParams: params,
    ...(isForm ? { formBody: request.body } : {}),
  });
  const method = params.oauth_signature_method === 'HMAC-SHA256' ? 'HMAC-SHA256' : 'HMAC-SHA1';
  const expected = await signHmac(baseString, CONSUMER.consumerSecret, TOKEN.tokenSecret, method);
  return expected === params.oauth_signature;
}

describe('oauth1Middleware with openapi-fetch', () => {
  it('signs a GET with path and repeated query parameters so the server can verify it', async () => {
    const client = createClient<paths>({ baseUrl });
    client.use(oauth1Middleware({ ...CONSUMER, ...TOKEN, realm: 'mtls' }));

    const { data, response } = await client.GET('/mtls/account/{accountId}/certificates', {
      params: { path: { accountId: 'le 1606809' }, query: { tag: ['b', 'a'], q: "it's 100% ok" } },
    });
    expect(response.status).toBe(200);
    expect(data).toEqual({ ok: true });

    const request = lastReceived();
    expect(request.url).toContain('tag=b&tag=a');
    const params = parseAuthorizationHeader(request.headers.authorization ?? '');
    expect(params).toMatchObject({
      realm: 'mtls',
      oauth_consumer_key: CONSUMER.consumerKey,
      oauth_token: TOKEN.token,
      oauth_signature_method: 'HMAC-SHA1',
      oauth_version: '1.0',
    });
    expect(await signatureMatches(request)).toBe(true);
    // The check is not vacuous: the same header does not verify for a different query.
    expect(await signatureMatches(request, { url: request.url.replace('tag=a', 'tag=c') })).toBe(false);
  });

  it('signs the parameters of a form body, which still arrives intact', async () => {
    const client = createClient<paths>({ baseUrl });
    client.use(oauth1Middleware({ ...CONSUMER, ...TOKEN, signatureMethod: 'HMAC-SHA256' }));

    await client.POST('/oauth/form', {
      body: { a: 'x y', b: 'é+&=' },
      bodySerializer: (body) => new URLSearchParams(body).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });

    const request = lastReceived();
    expect(request.body).toBe('a=x+y&b=%C3%A9%2B%26%3D');
    expect(parseAuthorizationHeader(request.headers.authorization ?? '').oauth_signature_method).toBe(
      'HMAC-SHA256',
    );
    expect(await signatureMatches(request)).toBe(true);
    expect(await signatureMatches({ ...request, body: 'a=x+y&b=other' })).toBe(false);
  });

  it('passes a JSON body through unsigned and unchanged', async () => {
    const client = createClient<paths>({ baseUrl });
    client.use(oauth1Middleware({ ...CONSUMER, ...TOKEN }));

    await client.POST('/json', { body: { name: 'Cert1' } });

    const request = lastReceived();
    expect(request.body).toBe('{"name":"Cert1"}');
    expect(request.headers['content-type']).toBe('application/json');
    expect(await signatureMatches(request)).toBe(true);
  });
});

describe('bearerMiddleware with openapi-fetch', () => {
  it('sends the token, asking the provider once per request', async () => {
    let calls = 0;
    const client = createClient<paths>({ baseUrl });
    client.use(bearerMiddleware(async () => `token-${++calls}`));

    await client.GET('/mtls/account/{accountId}/certificates', { params: { path: { accountId: '123' } } });
    expect(lastReceived().headers.authorization).toBe('Bearer token-1');
    await client.POST('/json', { body: { name: 'Cert1' } });
    expect(lastReceived().headers.authorization).toBe('Bearer token-2');
    expect(lastReceived().body).toBe('{"name":"Cert1"}');
    expect(calls).toBe(2);
  });

  it('sends a fixed token', async () => {
    const client = createClient<paths>({ baseUrl });
    client.use(bearerMiddleware('static-token'));
    await client.GET('/mtls/account/{accountId}/certificates', { params: { path: { accountId: '123' } } });
    expect(lastReceived().headers.authorization).toBe('Bearer static-token');
  });
});
