import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../errors.js';
import { JwtVerifier } from './jwt.js';

const claims = { accounts: ['le1'], permissions: ['MTLS_READ_INTERNAL'] };
const ISSUER = 'https://idp.test.example/';
const AUDIENCE = 'mtls-gateway-test';
const expected = { issuer: ISSUER, audience: AUDIENCE };

describe('JwtVerifier with a JWKS', () => {
  let dir: string;
  let jwksFile: string;
  let server: Server;
  let jwksUrl: string;
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;

  const sign = (key: CryptoKey, body: Record<string, unknown> = claims, kid = 'k1') =>
    new SignJWT(body)
      .setProtectedHeader({ alg: 'ES256', kid })
      .setSubject('alice')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('ES256')).privateKey;
    const jwks = JSON.stringify({
      keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }],
    });
    dir = await mkdtemp(path.join(tmpdir(), 'mtls-jwks-'));
    jwksFile = path.join(dir, 'jwks.json');
    await writeFile(jwksFile, jwks);
    server = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(jwks);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['a file: URL', () => pathToFileURL(jwksFile).href],
    ['a file: path', () => `file:${jwksFile}`],
    ['an http URL on loopback', () => jwksUrl],
  ])('verifies an ES256 token against %s', async (_what, location) => {
    const verifier = new JwtVerifier({ jwksUrl: location(), ...expected });
    await expect(verifier.verify(await sign(privateKey))).resolves.toEqual({
      scheme: 'bearer',
      credentialKind: 'jwt',
      subject: 'alice',
      accounts: ['le1'],
      permissions: ['MTLS_READ_INTERNAL'],
    });
  });

  it('refuses a token signed by another key, an unsigned token and one without scope claims', async () => {
    const verifier = new JwtVerifier({ jwksUrl: `file:${jwksFile}`, ...expected });
    await expect(verifier.verify(await sign(otherKey))).rejects.toBeInstanceOf(UnauthorizedError);
    const unsecured = new UnsecuredJWT(claims)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .encode();
    await expect(verifier.verify(unsecured)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(verifier.verify(await sign(privateKey, { accounts: ['le1'] }))).rejects.toThrow(/scope/);
    await expect(verifier.verify('not-a-jwt')).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses an HS256 token when only a JWKS is configured (no algorithm confusion)', async () => {
    const verifier = new JwtVerifier({ jwksUrl: `file:${jwksFile}`, ...expected });
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    await expect(verifier.verify(hs)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses every JWT when nothing is configured', async () => {
    await expect(new JwtVerifier({}).verify(await sign(privateKey))).rejects.toThrow(/MTLS_JWT_SECRET/);
  });
});

describe('JwtVerifier claims: iss, aud and lifetime', () => {
  const secret = 'a-shared-hs256-secret-of-32-bytes-or-more';
  const key = new TextEncoder().encode(secret);
  const now = 1_800_000_000;
  const verifier = new JwtVerifier({ secret, ...expected, now: () => now * 1000 });
  const token = (options: { iss?: string; aud?: string | string[]; iat?: number | null; exp?: number }) => {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(options.exp ?? now + 300);
    if (options.iss !== '') jwt.setIssuer(options.iss ?? ISSUER);
    if (options.aud !== '') jwt.setAudience(options.aud ?? AUDIENCE);
    if (options.iat !== null) jwt.setIssuedAt(options.iat ?? now);
    return jwt.sign(key);
  };

  it('refuses to be built with a key but without issuer or audience', () => {
    expect(() => new JwtVerifier({ secret })).toThrow(/MTLS_JWT_ISSUER/);
    expect(() => new JwtVerifier({ secret, issuer: ISSUER })).toThrow(/MTLS_JWT_AUDIENCE/);
    expect(() => new JwtVerifier({ jwksUrl: 'file:/nowhere', audience: AUDIENCE })).toThrow(TypeError);
    expect(() => new JwtVerifier({})).not.toThrow();
  });

  it('accepts the configured issuer and an audience list that contains the configured one', async () => {
    await expect(verifier.verify(await token({}))).resolves.toMatchObject({ accounts: ['le1'] });
    await expect(verifier.verify(await token({ aud: ['other', AUDIENCE] }))).resolves.toBeDefined();
  });

  it.each([
    ['another issuer', { iss: 'https://evil.example/' }, /not issued for this gateway/],
    ['no issuer', { iss: '' }, /not issued for this gateway|does not verify/],
    ['another audience', { aud: 'another-app' }, /not issued for this gateway/],
    ['no audience', { aud: '' }, /not issued for this gateway|does not verify/],
    ['no iat', { iat: null }, /does not verify/],
    ['an iat in the future', { iat: now + 3600, exp: now + 3700 }, /iat/],
    ['a lifetime over the default 3600 s', { iat: now - 10, exp: now - 10 + 3601 }, /lives longer/],
  ])('refuses a token with %s', async (_what, options, message) => {
    const error = await verifier.verify(await token(options)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as UnauthorizedError).detail).toMatch(message);
  });

  it('accepts exactly the maximum lifetime and honours a configured one', async () => {
    await expect(
      verifier.verify(await token({ iat: now - 10, exp: now - 10 + 3600 })),
    ).resolves.toBeDefined();
    const strict = new JwtVerifier({ secret, ...expected, maxLifetimeSeconds: 60, now: () => now * 1000 });
    await expect(strict.verify(await token({ exp: now + 61 }))).rejects.toThrow(/at most 60 seconds/);
    await expect(strict.verify(await token({ exp: now + 60 }))).resolves.toBeDefined();
  });
});
