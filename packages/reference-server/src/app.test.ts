import { randomBytes } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, createGatewayContext } from './app.js';
import type { GatewayRoutePlugin } from './http/context.js';
import { createLogger } from './http/logging.js';
import { GatewaySpec } from './http/openapi.js';
import { registerSpecRoute } from './http/spec-routes.js';
import { oauthHeader, rawRequest, type TestOAuthCredentials } from './http/testing/http-client.js';
import { LogCapture, startTestApp, type TestApp, testConfig } from './http/testing/test-app.js';
import type { SecretStore } from './secrets/secret-store.js';
import { migrate } from './storage/migrations.js';
import { openTestPglite, type TestDatabase, testDatabaseEngines } from './storage/testing/test-databases.js';

const READ = 'MTLS_READ_INTERNAL';
const WRITE = 'MTLS_WRITE_INTERNAL';
const JWT_SECRET = 'a-test-jwt-secret-that-is-long-enough-0123456789';
const JWT_ISSUER = 'https://idp.test.example/';
const JWT_AUDIENCE = 'mtls-gateway-test';

const spec = GatewaySpec.load();
const problemSchema = new Ajv2020({ strict: false, validateFormats: false })
  .addSchema({ ...spec.document, $id: 'spec' })
  .compile({
    $ref: 'spec#/components/schemas/Problem',
  });

/** Routes with their own body parsers, as the forwarding module has: a form as text, anything as a stream. */
const formRoutes: GatewayRoutePlugin = async (app) => {
  await app.register(async (child) => {
    child.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => done(null, body),
    );
    registerSpecRoute(child, 'forwardPut', async (request) => ({ body: request.body }));
  });
  await app.register(async (child) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    registerSpecRoute(child, 'forwardPatch', async (request) => ({
      body: Buffer.isBuffer(request.body) ? request.body.toString('utf8') : 'a stream',
    }));
  });
};

/** Stub handlers of a few real operations, standing in for the route modules. */
const stubRoutes: GatewayRoutePlugin = (app) => {
  registerSpecRoute(app, 'checkMappings', async (request) => {
    const pairs = request.operationInput?.body as Array<{ serviceName: string; url: string }>;
    return pairs.map((pair) => ({ ...pair, exist: false }));
  });
  registerSpecRoute(app, 'listCertificates', async (request) => {
    if ((request.query as { includeDeleted?: boolean }).includeDeleted === true) {
      throw new Error('internal detail: connection string postgres://user:hunter2@db');
    }
    return [];
  });
  registerSpecRoute(app, 'createCertificates', async (_request, reply) => {
    reply.code(201);
    return { successfulySavedCertificates: [], failedSaveToVaultCertificates: [] };
  });
  registerSpecRoute(app, 'forwardGet', async (request) => ({
    principal: request.principal?.subject,
    headers: request.operationInput?.headers,
    query: request.query,
  }));
  registerSpecRoute(app, 'forwardPost', async (request) => {
    // A careless handler logging everything: redaction must still hide every secret.
    request.log.info({ headers: request.headers, body: request.body }, 'echo of the request');
    request.log.info({ req: request }, 'the request object');
    return { ok: true };
  });
};

async function expectProblem(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.headers.get('lp-gateway-error')).toBe(code);
  const requestId = response.headers.get('x-request-id');
  expect(requestId).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
  const body = (await response.json()) as Record<string, unknown>;
  expect(problemSchema(body), JSON.stringify(problemSchema.errors)).toBe(true);
  expect(body).toMatchObject({
    type: `https://mtls-gateway.dev/problems/${code}`,
    status,
    code,
    requestId,
  });
  return body as {
    detail: string;
    requestId: string;
    errors?: Array<{ location: string; name?: string; message: string }>;
  };
}

describe.each(testDatabaseEngines)('gateway app on $kind', ({ kind, open }) => {
  let database: TestDatabase;
  let server: TestApp;
  let cleanupConfig: () => Promise<void>;
  let adminToken: string;
  let readOnly: TestOAuthCredentials;
  let readWrite: TestOAuthCredentials;
  let everyAccount: TestOAuthCredentials;
  const url = (path: string) => `${server.url}${path}`;
  const checkPath = '/api/account/le1/checks/serviceUrlMappings';
  const validPairs = [{ serviceName: 'WEBHOOKS', url: 'https://api.example.com/hooks?tenant=42' }];

  beforeAll(async () => {
    database = await open();
    await migrate(database.db);
    const prepared = await testConfig(
      { bodyLimitBytes: 4096 },
      {
        MTLS_JWT_SECRET: JWT_SECRET,
        MTLS_JWT_ISSUER: JWT_ISSUER,
        MTLS_JWT_AUDIENCE: JWT_AUDIENCE,
      },
    );
    cleanupConfig = prepared.cleanup;
    server = await startTestApp({
      db: database.db,
      config: prepared.config,
      routes: [stubRoutes, formRoutes],
    });
    const { credentials, tokens } = server.context.auth;
    adminToken = (await tokens.create({ accounts: ['*'], permissions: [READ, WRITE] })).token;
    readOnly = await credentials.create({ accounts: ['le1'], permissions: [READ] });
    readWrite = await credentials.create({ accounts: ['le1'], permissions: [READ, WRITE] });
    everyAccount = await credentials.create({ accounts: ['*'], permissions: [READ, WRITE] });
  });
  afterAll(async () => {
    await server?.close();
    await database?.cleanup();
    await cleanupConfig?.();
  });

  const admin = (headers: Record<string, string> = {}) => ({
    authorization: `Bearer ${adminToken}`,
    ...headers,
  });

  describe('validation from the spec', () => {
    it('accepts a valid JSON body and passes it to the handler', async () => {
      const response = await fetch(url(checkPath), {
        method: 'POST',
        headers: admin({ 'content-type': 'application/json' }),
        body: JSON.stringify(validPairs),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([{ ...validPairs[0], exist: false }]);
    });

    it('refuses a wrong JSON type with location body and a JSON pointer', async () => {
      const response = await fetch(url(checkPath), {
        method: 'POST',
        headers: admin({ 'content-type': 'application/json' }),
        body: JSON.stringify([{ serviceName: 'WEBHOOKS', url: 42 }]),
      });
      const problem = await expectProblem(response, 400, 'invalid_request');
      expect(problem.errors).toContainEqual({ location: 'body', name: '/0/url', message: 'must be string' });
    });

    it('refuses a missing required body and an unknown enum value', async () => {
      const missing = await fetch(url(checkPath), { method: 'POST', headers: admin() });
      const problem = await expectProblem(missing, 400, 'invalid_request');
      expect(problem.errors).toEqual([{ location: 'body', name: '', message: 'is required' }]);

      const badEnum = await fetch(url(checkPath), {
        method: 'POST',
        headers: admin({ 'content-type': 'application/json' }),
        body: JSON.stringify([{ serviceName: 'NOPE', url: 'https://api.example.com/' }]),
      });
      const enumProblem = await expectProblem(badEnum, 400, 'invalid_request');
      expect(enumProblem.errors?.[0]).toMatchObject({ location: 'body', name: '/0/serviceName' });
      expect(enumProblem.errors?.[0]?.message).toContain('"WEBHOOKS"');
    });

    it('refuses a path parameter that does not match its pattern', async () => {
      const response = await fetch(url('/api/account/-bad/checks/serviceUrlMappings'), {
        method: 'POST',
        headers: admin({ 'content-type': 'application/json' }),
        body: JSON.stringify(validPairs),
      });
      const problem = await expectProblem(response, 400, 'invalid_request');
      expect(problem.errors).toEqual([
        { location: 'path', name: 'accountId', message: expect.stringContaining('must match pattern') },
      ]);
    });

    it('refuses a missing required header and a header of the wrong type, listing both', async () => {
      const response = await fetch(url('/mtls/account/le1'), {
        headers: admin({ 'LP-stop-if-certificate-not-found': 'maybe', 'LP-service-name': 'NOPE' }),
      });
      const problem = await expectProblem(response, 400, 'invalid_request');
      expect(problem.detail).toContain('LP-forward-url');
      expect(problem.errors).toEqual(
        expect.arrayContaining([
          { location: 'header', name: 'LP-forward-url', message: 'is required' },
          { location: 'header', name: 'LP-stop-if-certificate-not-found', message: 'must be boolean' },
          expect.objectContaining({ location: 'header', name: 'LP-service-name' }),
        ]),
      );
    });

    it('coerces header and query values to their schema types', async () => {
      const response = await fetch(url('/mtls/account/le1?x=1'), {
        headers: admin({
          'LP-forward-url': 'https://api.example.com/a?b=c',
          'LP-stop-if-certificate-not-found': 'true',
        }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { headers: Record<string, unknown> };
      expect(body.headers).toEqual({
        'LP-forward-url': 'https://api.example.com/a?b=c',
        'LP-stop-if-certificate-not-found': true,
      });
    });

    it('answers malformed JSON with 400, a text body with 415, XML with 415, a large body with 413', async () => {
      const post = (contentType: string, body: string) =>
        fetch(url(checkPath), { method: 'POST', headers: admin({ 'content-type': contentType }), body });
      const malformed = await expectProblem(await post('application/json', '[{"a":'), 400, 'invalid_request');
      expect(malformed.errors?.[0]).toMatchObject({ location: 'body' });
      await expectProblem(await post('text/plain', 'hello'), 415, 'unsupported_media_type');
      await expectProblem(await post('application/xml', '<a/>'), 415, 'unsupported_media_type');
      const large = await expectProblem(
        await post(
          'application/json',
          JSON.stringify([{ serviceName: 'IDP', url: `https://x/${'a'.repeat(5000)}` }]),
        ),
        413,
        'payload_too_large',
      );
      expect(large.detail).toContain('4096');
    });
  });

  describe('problem answers', () => {
    it('answers an unknown route with 404 route_not_found', async () => {
      const body = await expectProblem(await fetch(url('/nope?secret=1')), 404, 'route_not_found');
      expect(body).toMatchObject({ instance: '/nope' });
    });

    it('answers a known path with another method with 405 and Allow', async () => {
      const response = await fetch(url('/healthz'), { method: 'DELETE' });
      expect(response.headers.get('allow')).toBe('GET');
      await expectProblem(response, 405, 'method_not_allowed');
    });

    it('answers an unexpected exception with 500 internal_error, without internals', async () => {
      const response = await fetch(url('/mtls/account/le1/certificates?includeDeleted=true'), {
        headers: admin(),
      });
      const body = await expectProblem(response, 500, 'internal_error');
      expect(JSON.stringify(body)).not.toContain('hunter2');
      expect(JSON.stringify(body)).not.toContain('internal detail');
      expect(server.logs.text).toContain(body.requestId);
    });

    it('keeps a well-formed incoming X-Request-Id and replaces a malformed one', async () => {
      const kept = await fetch(url('/nope'), { headers: { 'x-request-id': 'trace-42.a:b_c' } });
      expect(kept.headers.get('x-request-id')).toBe('trace-42.a:b_c');
      expect(((await kept.json()) as { requestId: string }).requestId).toBe('trace-42.a:b_c');
      const replaced = await fetch(url('/healthz'), { headers: { 'x-request-id': 'bad id <script>' } });
      expect(replaced.headers.get('x-request-id')).toMatch(/^req-[0-9a-f]{16}$/);
    });
  });

  describe('OAuth 1.0a', () => {
    const signedFetch = async (
      credentials: TestOAuthCredentials,
      path: string,
      init: RequestInit = {},
      options: Parameters<typeof oauthHeader>[3] = {},
    ) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', await oauthHeader(credentials, url(path), init, options));
      return fetch(url(path), { ...init, headers });
    };

    it.each(['HMAC-SHA1', 'HMAC-SHA256'] as const)(
      'accepts a request signed by the SDK with %s',
      async (method) => {
        const response = await signedFetch(
          readOnly,
          '/mtls/account/le1?a=1&b=x%20y',
          { headers: { 'LP-forward-url': 'https://api.example.com/' } },
          { signatureMethod: method },
        );
        expect(response.status).toBe(200);
        expect(((await response.json()) as { principal: string }).principal).toBe(readOnly.consumerKey);
      },
    );

    it('accepts a signed JSON POST', async () => {
      const response = await signedFetch(readOnly, checkPath, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(validPairs),
      });
      expect(response.status).toBe(200);
    });

    it('refuses a replayed nonce', async () => {
      const path = '/mtls/account/le1/certificates';
      const header = await oauthHeader(readOnly, url(path));
      expect((await fetch(url(path), { headers: { authorization: header } })).status).toBe(200);
      const replay = await fetch(url(path), { headers: { authorization: header } });
      const body = await expectProblem(replay, 401, 'unauthorized');
      expect(body.detail).toContain('nonce');
      expect(replay.headers.get('www-authenticate')).toBe(
        'OAuth realm="mtls-gateway", Bearer realm="mtls-gateway"',
      );
    });

    it('refuses a replay on another app instance sharing the database', async () => {
      // A second replica: its own app (and, on PostgreSQL, its own connection pool) on the same database.
      const secondDb = kind === 'postgres' ? await database.reopen() : database.db;
      // Replicas share the master key, which seals the OAuth consumer secrets.
      const prepared = await testConfig({ masterKey: server.context.config.masterKey });
      const second = await startTestApp({ db: secondDb, config: prepared.config, routes: [stubRoutes] });
      try {
        // Both replicas sit behind one public name; the client signs for it.
        const publicUrl = 'http://gateway.example/mtls/account/le1/certificates';
        const header = await oauthHeader(readOnly, publicUrl);
        const headers = { host: 'gateway.example', authorization: header };
        const first = await rawRequest(`${server.url}/mtls/account/le1/certificates`, { headers });
        expect(first.status).toBe(200);
        const replay = await rawRequest(`${second.url}/mtls/account/le1/certificates`, { headers });
        expect(replay.status).toBe(401);
        expect(JSON.parse(replay.body).detail).toContain('nonce');
      } finally {
        await second.close();
        await prepared.cleanup();
      }
    });

    it('refuses a stale timestamp', async () => {
      const response = await signedFetch(
        readOnly,
        '/mtls/account/le1/certificates',
        {},
        {
          now: () => Date.now() - 6 * 60 * 1000,
        },
      );
      const body = await expectProblem(response, 401, 'unauthorized');
      expect(body.detail).toContain('clock');
    });

    it('refuses a forged signature, an unknown consumer and a revoked credential alike', async () => {
      const path = '/mtls/account/le1/certificates';
      const forged = await signedFetch({ ...readOnly, consumerSecret: 'not-the-secret' }, path);
      const unknown = await signedFetch({ consumerKey: 'ck_unknown', consumerSecret: 'x' }, path);
      const revokedCredential = await server.context.auth.credentials.create({
        accounts: ['le1'],
        permissions: [READ],
      });
      expect((await signedFetch(revokedCredential, path)).status).toBe(200);
      expect(await server.context.auth.credentials.revoke(revokedCredential.consumerKey)).toBe(true);
      const revoked = await signedFetch(revokedCredential, path);
      const details = [];
      for (const response of [forged, unknown, revoked]) {
        details.push((await expectProblem(response, 401, 'unauthorized')).detail);
      }
      expect(new Set(details).size).toBe(1);
    });

    it('refuses a signature made for another URL (the query is signed)', async () => {
      const header = await oauthHeader(readOnly, url('/mtls/account/le1/certificates?includeDeleted=false'));
      const response = await fetch(url('/mtls/account/le1/certificates?includeDeleted=true'), {
        headers: { authorization: header },
      });
      await expectProblem(response, 401, 'unauthorized');
    });

    it('answers a malformed OAuth header with 400', async () => {
      const response = await fetch(url('/mtls/account/le1/certificates'), {
        headers: { authorization: 'OAuth oauth_consumer_key=unquoted' },
      });
      const body = await expectProblem(response, 400, 'invalid_request');
      expect(body.errors?.[0]).toMatchObject({ location: 'header', name: 'Authorization' });
    });

    it('refuses a read-only credential writing (403), allows the read-write one', async () => {
      const write = (credentials: TestOAuthCredentials) =>
        signedFetch(credentials, '/mtls/account/le1/certificates', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify([{ name: 'c', p12: 'AAAA', password: '' }]),
        });
      const body = await expectProblem(await write(readOnly), 403, 'forbidden');
      expect(body.detail).toContain(WRITE);
      expect((await write(readWrite)).status).toBe(201);
    });

    it('refuses account A credentials on account B, allows a * credential everywhere', async () => {
      const other = '/mtls/account/le2/certificates';
      const body = await expectProblem(await signedFetch(readWrite, other), 403, 'forbidden');
      expect(body.detail).toContain('le2');
      expect((await signedFetch(everyAccount, other)).status).toBe(200);
    });

    it.each([
      ['a string body', 'forwardPut'],
      ['a body left as a stream by the route', 'forwardPatch'],
    ])('verifies form parameters as part of the signature (%s)', async (_what, operationId) => {
      const path = '/mtls/account/le1';
      const method = operationId === 'forwardPut' ? 'PUT' : 'PATCH';
      const headers = {
        'content-type': 'application/x-www-form-urlencoded',
        'LP-forward-url': 'https://a.example/',
      };
      const body = 'a=1&b=two+words';
      const header = await oauthHeader(readWrite, url(path), { method, headers, body });
      const good = await rawRequest(url(path), {
        method,
        headers: { ...headers, authorization: header },
        body,
      });
      expect(good.status).toBe(200);
      // The handler still receives every byte of the body.
      expect(JSON.parse(good.body)).toEqual({ body });
      const tampered = await rawRequest(url(path), {
        method,
        headers: {
          ...headers,
          authorization: await oauthHeader(readWrite, url(path), { method, headers, body }),
        },
        body: 'a=2&b=two+words',
      });
      expect(tampered.status).toBe(401);
    });
  });

  describe('Bearer', () => {
    const jwt = (claims: Record<string, unknown>, secret = JWT_SECRET, expiresIn: string | number = '5m') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(new TextEncoder().encode(secret));
    const list = (token: string) =>
      fetch(url('/mtls/account/le1/certificates'), { headers: { authorization: `Bearer ${token}` } });

    it('accepts an HS256 JWT with accounts and permissions', async () => {
      expect((await list(await jwt({ accounts: ['le1'], permissions: [READ] }))).status).toBe(200);
      expect((await list(await jwt({ accounts: '*', permissions: [READ] }))).status).toBe(200);
    });

    it('refuses an expired JWT, one signed with another secret, and one without exp', async () => {
      await expectProblem(
        await list(
          await jwt(
            { accounts: ['le1'], permissions: [READ] },
            JWT_SECRET,
            Math.floor(Date.now() / 1000) - 120,
          ),
        ),
        401,
        'unauthorized',
      );
      await expectProblem(
        await list(
          await jwt(
            { accounts: ['le1'], permissions: [READ] },
            'another-secret-that-is-long-enough-0123456789',
          ),
        ),
        401,
        'unauthorized',
      );
      const withoutExp = await new SignJWT({ accounts: ['le1'], permissions: [READ] })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .setIssuedAt()
        .sign(new TextEncoder().encode(JWT_SECRET));
      await expectProblem(await list(withoutExp), 401, 'unauthorized');
    });

    it('scopes a JWT to its accounts and permissions', async () => {
      const token = await jwt({ accounts: ['le2'], permissions: [READ] });
      await expectProblem(await list(token), 403, 'forbidden');
    });

    it('accepts a static token and refuses it once revoked or expired', async () => {
      const { tokens } = server.context.auth;
      const { id, token } = await tokens.create({ accounts: ['le1'], permissions: [READ] });
      expect((await list(token)).status).toBe(200);
      await tokens.revoke(id);
      await expectProblem(await list(token), 401, 'unauthorized');
      const expired = await tokens.create({
        accounts: ['le1'],
        permissions: [READ],
        expiresAt: new Date(Date.now() - 1000),
      });
      await expectProblem(await list(expired.token), 401, 'unauthorized');
      await expectProblem(await list(`mtls_${randomBytes(32).toString('base64url')}`), 401, 'unauthorized');
    });

    it('asks for credentials with WWW-Authenticate when none are sent', async () => {
      const response = await fetch(url('/mtls/account/le1/certificates'));
      expect(response.headers.get('www-authenticate')).toBe(
        'OAuth realm="mtls-gateway", Bearer realm="mtls-gateway"',
      );
      await expectProblem(response, 401, 'unauthorized');
      await expectProblem(
        await fetch(url('/mtls/account/le1/certificates'), {
          headers: { authorization: 'Basic dXNlcjpwdw==' },
        }),
        401,
        'unauthorized',
      );
    });
  });

  describe('logging', () => {
    const linesOf = (requestId: string) =>
      server.logs.lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.requestId === requestId);

    it('writes one line per request: the access line, or the problem answered with the request on it', async () => {
      const ok = await fetch(url('/healthz'), { headers: { 'x-request-id': `ok-${kind}` } });
      expect(ok.status).toBe(200);
      const refused = await fetch(url('/mtls/account/le1/certificates'), {
        headers: { 'x-request-id': `refused-${kind}`, authorization: 'Bearer not-a-token' },
      });
      expect(refused.status).toBe(401);
      const [okLine, ...moreOk] = linesOf(`ok-${kind}`);
      expect(moreOk).toEqual([]);
      expect(okLine).toMatchObject({
        msg: 'request completed',
        req: { method: 'GET', url: '/healthz' },
        res: { statusCode: 200 },
      });
      const [refusedLine, ...moreRefused] = linesOf(`refused-${kind}`);
      expect(moreRefused).toEqual([]);
      expect(refusedLine).toMatchObject({
        req: { method: 'GET', url: '/mtls/account/le1/certificates' },
        status: 401,
        problem: 'unauthorized',
      });
      expect(refusedLine?.msg).toContain('Bearer');
    });

    it('redacts credentials, passwords, keys and tokens wherever they are logged', async () => {
      const secrets = {
        override: 'override-secret-value-1',
        cookie: 'cookie-secret-value-2',
        password: 'password-secret-value-3',
        p12: 'p12-secret-value-4',
        privateKey: 'private-key-secret-value-5',
        consumerSecret: 'consumer-secret-value-6',
        token: 'token-secret-value-7',
        query: 'query-secret-value-8',
      };
      const response = await fetch(url(`/mtls/account/le1?access_token=${secrets.query}&page=2`), {
        method: 'POST',
        headers: admin({
          'content-type': 'application/json',
          'LP-forward-url': 'https://api.example.com/',
          'LP-authorization-override': `Bearer ${secrets.override}`,
          cookie: `session=${secrets.cookie}`,
        }),
        body: JSON.stringify({
          password: secrets.password,
          p12: secrets.p12,
          nested: { privateKey: secrets.privateKey, deeper: { consumerSecret: secrets.consumerSecret } },
          token: secrets.token,
        }),
      });
      expect(response.status).toBe(200);
      const logs = server.logs.text;
      expect(logs).toContain('echo of the request');
      expect(logs).toContain('[redacted]');
      for (const value of [...Object.values(secrets), adminToken]) expect(logs).not.toContain(value);
      expect(logs).toContain('page=2');
    });
  });

  describe('operations endpoints', () => {
    it('serves /healthz without credentials; /readyz needs one on the API port', async () => {
      const health = await fetch(url('/healthz'));
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      await expectProblem(await fetch(url('/readyz')), 401, 'unauthorized');
      const ready = await fetch(url('/readyz'), { headers: { authorization: `Bearer ${adminToken}` } });
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'ok', secretStore: 'ok' } });
    });

    it('serves Prometheus metrics with requests by route and status and a latency histogram', async () => {
      await fetch(url('/healthz'));
      await expectProblem(await fetch(url('/metrics')), 401, 'unauthorized');
      const accountToken = await server.context.auth.tokens.create({
        accounts: ['le1'],
        permissions: [READ],
      });
      // Metrics name every tenant's certificates: an account's credential may not read them.
      await expectProblem(
        await fetch(url('/metrics'), { headers: { authorization: `Bearer ${accountToken.token}` } }),
        403,
        'forbidden',
      );
      const response = await fetch(url('/metrics'), { headers: { authorization: `Bearer ${adminToken}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      expect(text).toContain('# TYPE mtls_http_requests_total counter');
      expect(text).toMatch(/mtls_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
      expect(text).toMatch(/mtls_http_requests_total\{method="GET",route="unmatched",status="404"\} \d+/);
      // Label order is prom-client's (it puts `le` first); Prometheus does not care.
      expect(text).toMatch(
        /^mtls_http_request_duration_seconds_bucket\{(?=[^}]*\bmethod="GET")(?=[^}]*\broute="\/healthz")(?=[^}]*\ble="\+Inf")[^}]*\} \d+$/m,
      );
    });

    it('serves the API reference (scripts from this origin only) and the document as YAML', async () => {
      const docs = await fetch(url('/docs'));
      expect(docs.status).toBe(200);
      expect(docs.headers.get('content-type')).toContain('text/html');
      const html = await docs.text();
      expect(html).toContain('mTLS Gateway API');
      expect(html).toContain('/mtls/account/{accountId}/certificates');
      expect(html).toContain('LP-forward-url');
      // The renderer comes from this server (operations/api-reference.test.ts checks the page and its CSP).
      expect(html).not.toMatch(/<script[^>]*\ssrc="(?!\/docs\/)|https?:\/\/cdn/i);

      const yaml = await fetch(url('/openapi.yaml'));
      expect(yaml.headers.get('content-type')).toContain('application/yaml');
      const text = await yaml.text();
      expect(text).toMatch(/^openapi: 3\.1\.0/);
      expect(text).not.toContain('x-generated');
    });
  });
});

describe('gateway app limits and failures', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestPglite();
    await migrate(database.db);
  });
  afterAll(async () => database?.cleanup());

  it('rate limits per IP with 429 and Retry-After, never /healthz', async () => {
    const prepared = await testConfig({ rateLimitRps: 2 });
    const server = await startTestApp({ db: database.db, config: prepared.config });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${server.url}/docs`)).status);
      expect(statuses).toEqual([200, 200, 429]);
      const limited = await fetch(`${server.url}/openapi.yaml`);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await expectProblem(limited, 429, 'rate_limited');
      for (let i = 0; i < 5; i++) {
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      }
      expect((await fetch(`${server.url}/readyz`)).status).toBe(429);
    } finally {
      await server.close();
      await prepared.cleanup();
    }
  });

  it('believes X-Forwarded-Proto/-Host for the OAuth base string only when trust proxy is on', async () => {
    const credentialsFor = async (server: TestApp) =>
      server.context.auth.credentials.create({ accounts: ['*'], permissions: ['MTLS_READ_INTERNAL'] });
    // The client called https://gateway.example through a TLS-terminating proxy.
    const publicUrl = 'https://gateway.example/mtls/account/le1/certificates';
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'gateway.example' };
    for (const trustProxy of [false, true]) {
      const prepared = await testConfig({ trustProxy });
      const server = await startTestApp({ db: database.db, config: prepared.config, routes: [stubRoutes] });
      try {
        const credentials = await credentialsFor(server);
        const response = await rawRequest(`${server.url}/mtls/account/le1/certificates`, {
          headers: { ...forwarded, authorization: await oauthHeader(credentials, publicUrl) },
        });
        expect(response.status).toBe(trustProxy ? 200 : 401);
      } finally {
        await server.close();
        await prepared.cleanup();
      }
    }
  });

  it('MTLS_ACCESS_LOG=off: no line for an answered request, one for a problem', async () => {
    const prepared = await testConfig({ accessLog: false });
    const server = await startTestApp({ db: database.db, config: prepared.config });
    try {
      await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'quiet-ok' } });
      const refused = await fetch(`${server.url}/readyz`, { headers: { 'x-request-id': 'quiet-refused' } });
      expect(refused.status).toBe(401);
      const lines = server.logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.filter((line) => line.requestId === 'quiet-ok')).toEqual([]);
      expect(lines.filter((line) => line.requestId === 'quiet-refused')).toEqual([
        expect.objectContaining({ problem: 'unauthorized', status: 401 }),
      ]);
    } finally {
      await server.close();
      await prepared.cleanup();
    }
  });

  it('answers /readyz with 503 and the Readiness body when the secret store is down', async () => {
    const prepared = await testConfig();
    const logs = new LogCapture();
    const context = await createGatewayContext(prepared.config, {
      db: database.db,
      logger: createLogger({ destination: logs }),
    });
    const broken: SecretStore = {
      kind: 'vault',
      put: async () => undefined,
      get: async () => undefined,
      delete: async () => undefined,
      health: async () => {
        throw new Error('sealed');
      },
    };
    const app = await buildApp({ ...context, secrets: broken });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const { token } = await context.auth.tokens.create({
        accounts: ['le1'],
        permissions: ['MTLS_READ_INTERNAL'],
      });
      const response = await fetch(`http://127.0.0.1:${port}/readyz`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        status: 'unavailable',
        checks: { database: 'ok', secretStore: 'unavailable' },
      });
    } finally {
      await app.close();
      await prepared.cleanup();
    }
  });

  it('refuses to start with a route that is not a spec operation', async () => {
    const prepared = await testConfig();
    const context = await createGatewayContext(prepared.config, {
      db: database.db,
      logger: createLogger({ level: 'silent' }),
    });
    const rogue: GatewayRoutePlugin = (app) => {
      app.get('/rogue', async () => 'no auth here');
    };
    await expect(buildApp(context, { routes: [rogue] }).then((app) => app.ready())).rejects.toThrow(
      /not an operation of the OpenAPI document/,
    );
    await prepared.cleanup();
  });
});
