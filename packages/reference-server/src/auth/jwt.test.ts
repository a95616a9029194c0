import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../http/errors.js';
import { JwtVerifier } from './jwt.js';

const claims = { accounts: ['le1'], permissions: ['MTLS_READ_INTERNAL'] };

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
    const verifier = new JwtVerifier({ jwksUrl: location() });
    await expect(verifier.verify(await sign(privateKey))).resolves.toEqual({
      scheme: 'bearer',
      credentialKind: 'jwt',
      subject: 'alice',
      accounts: ['le1'],
      permissions: ['MTLS_READ_INTERNAL'],
    });
  });

  it('refuses a token signed by another key, an unsigned token and one without scope claims', async () => {
    const verifier = new JwtVerifier({ jwksUrl: `file:${jwksFile}` });
    await expect(verifier.verify(await sign(otherKey))).rejects.toBeInstanceOf(UnauthorizedError);
    const unsecured = new UnsecuredJWT(claims).setExpirationTime('5m').encode();
    await expect(verifier.verify(unsecured)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(verifier.verify(await sign(privateKey, { accounts: ['le1'] }))).rejects.toThrow(/scope/);
    await expect(verifier.verify('not-a-jwt')).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses an HS256 token when only a JWKS is configured (no algorithm confusion)', async () => {
    const verifier = new JwtVerifier({ jwksUrl: `file:${jwksFile}` });
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    await expect(verifier.verify(hs)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses every JWT when nothing is configured', async () => {
    await expect(new JwtVerifier({}).verify(await sign(privateKey))).rejects.toThrow(/MTLS_JWT_SECRET/);
  });
});
