import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { migrate } from '../../src/storage/migrations.js';
import { openTestPglite, type TestDatabase } from '../../src/storage/testing/test-databases.js';
import {
  ACCOUNT,
  type AdversarialGateway,
  createTestPki,
  startAdversarialGateway,
  type TestPki,
} from './hardening-fixture.js';

// Finding 7: JWTs were accepted whatever their `iss` and `aud`, and with any lifetime. A token minted by the
// same identity provider for another application, or a "never expiring" one, opened the gateway.

const SECRET = 'an-hs256-secret-shared-with-the-idp-0123456789';
const ISSUER = 'https://idp.adversarial.test/';
const AUDIENCE = 'mtls-gateway';
const READ = 'MTLS_READ_INTERNAL';

let database: TestDatabase;
let pki: TestPki;
let gateway: AdversarialGateway;
let jwksGateway: AdversarialGateway;
let jwksDirectory: string;
let signingKey: CryptoKey;

interface TokenOptions {
  iss?: string | null;
  aud?: string | string[] | null;
  iat?: number | null;
  exp?: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function hs256(options: TokenOptions = {}): Promise<string> {
  const jwt = new SignJWT({ accounts: [ACCOUNT], permissions: [READ] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('someone')
    .setExpirationTime(options.exp ?? nowSeconds() + 300);
  if (options.iss !== null) jwt.setIssuer(options.iss ?? ISSUER);
  if (options.aud !== null) jwt.setAudience(options.aud ?? AUDIENCE);
  if (options.iat !== null) jwt.setIssuedAt(options.iat ?? nowSeconds());
  return jwt.sign(new TextEncoder().encode(SECRET));
}

async function listCertificates(target: AdversarialGateway, token: string) {
  const response = await fetch(`${target.app.url}/mtls/account/${ACCOUNT}/certificates`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    status: response.status,
    code: response.headers.get('lp-gateway-error'),
    body: await response.text(),
  };
}

beforeAll(async () => {
  database = await openTestPglite();
  await migrate(database.db);
  pki = await createTestPki();
  gateway = await startAdversarialGateway(database.db, pki, {
    env: { MTLS_JWT_SECRET: SECRET, MTLS_JWT_ISSUER: ISSUER, MTLS_JWT_AUDIENCE: AUDIENCE },
  });
  const pair = await generateKeyPair('ES256', { extractable: true });
  signingKey = pair.privateKey;
  jwksDirectory = await mkdtemp(path.join(tmpdir(), 'mtls-adversarial-jwks-'));
  const jwksFile = path.join(jwksDirectory, 'jwks.json');
  await writeFile(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1' }] }));
  jwksGateway = await startAdversarialGateway(database.db, pki, {
    env: {
      MTLS_JWKS_URL: `file:${jwksFile}`,
      MTLS_JWT_ISSUER: ISSUER,
      MTLS_JWT_AUDIENCE: AUDIENCE,
      MTLS_JWT_MAX_LIFETIME_SECONDS: '600',
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  await jwksGateway?.close();
  await database?.cleanup();
  await pki?.cleanup();
  await rm(jwksDirectory, { recursive: true, force: true });
});

describe('a start with JWTs on but no issuer or audience', () => {
  it.each([
    [{ MTLS_JWT_SECRET: SECRET }, ['MTLS_JWT_ISSUER', 'MTLS_JWT_AUDIENCE']],
    [{ MTLS_JWT_SECRET: SECRET, MTLS_JWT_ISSUER: ISSUER }, ['MTLS_JWT_AUDIENCE']],
    [
      { MTLS_JWKS_URL: 'https://idp.adversarial.test/jwks.json', MTLS_JWT_AUDIENCE: AUDIENCE },
      ['MTLS_JWT_ISSUER'],
    ],
  ])('fails with a ConfigError naming the variable (%j)', (env, missing) => {
    let thrown: unknown;
    try {
      loadConfig({ env });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems;
    expect(problems).toHaveLength(missing.length);
    for (const variable of missing) expect(problems.join('\n')).toContain(`${variable} must be set`);
  });
});

describe('HS256 tokens over HTTP', () => {
  it('accepts a token of the configured issuer and audience within the lifetime', async () => {
    expect((await listCertificates(gateway, await hs256())).status).toBe(200);
    expect((await listCertificates(gateway, await hs256({ aud: [AUDIENCE, 'other'] }))).status).toBe(200);
  });

  it.each<[string, TokenOptions]>([
    ['minted for another application (aud)', { aud: 'another-app' }],
    ['without an audience', { aud: null }],
    ['from another issuer', { iss: 'https://evil.example/' }],
    ['without an issuer', { iss: null }],
    ['without iat', { iat: null }],
    ['living a year (exp - iat)', { exp: nowSeconds() + 365 * 24 * 3600 }],
    ['living 3601 s', { iat: nowSeconds() - 1, exp: nowSeconds() + 3600 }],
    [
      'issued in the future to stretch its life',
      { iat: nowSeconds() + 86_400, exp: nowSeconds() + 86_400 + 60 },
    ],
  ])('refuses a token %s with 401 unauthorized', async (_what, options) => {
    const answer = await listCertificates(gateway, await hs256(options));
    expect(answer.status).toBe(401);
    expect(answer.code).toBe('unauthorized');
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'unauthorized', status: 401 });
  });

  it('accepts exactly the default maximum lifetime of 3600 s', async () => {
    const iat = nowSeconds() - 5;
    expect((await listCertificates(gateway, await hs256({ iat, exp: iat + 3600 }))).status).toBe(200);
  });
});

describe('JWKS tokens over HTTP (MTLS_JWT_MAX_LIFETIME_SECONDS=600)', () => {
  const es256 = (options: { aud?: string; lifetime?: number } = {}) =>
    new SignJWT({ accounts: [ACCOUNT], permissions: [READ] })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(options.aud ?? AUDIENCE)
      .setIssuedAt(nowSeconds())
      .setExpirationTime(nowSeconds() + (options.lifetime ?? 300))
      .sign(signingKey);

  it('accepts a token of the configured audience, refuses another audience and a longer lifetime', async () => {
    expect((await listCertificates(jwksGateway, await es256())).status).toBe(200);
    expect((await listCertificates(jwksGateway, await es256({ aud: 'another-app' }))).status).toBe(401);
    expect((await listCertificates(jwksGateway, await es256({ lifetime: 601 }))).status).toBe(401);
  });
});
