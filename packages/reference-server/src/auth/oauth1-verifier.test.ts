import { signHmac } from '@mtls-gateway/contract/oauth1';
import { createOAuth1Signer } from '@mtls-gateway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError, UnauthorizedError } from '../errors.js';
import { Keyring, MasterKey } from '../secrets/master-key.js';
import { migrate } from '../storage/migrations.js';
import { openTestPglite, type TestDatabase } from '../storage/testing/test-databases.js';
import { type NewOAuthCredential, OAuthCredentialStore } from './credentials.js';
import { NonceStore } from './nonce-store.js';
import { OAuth1Verifier, twoLeggedHmac } from './oauth1-verifier.js';

const URL_SIGNED = 'http://gateway.example/mtls/account/le1/certificates?b=2&a=1';

describe('OAuth1Verifier', () => {
  let database: TestDatabase;
  let credentials: OAuthCredentialStore;
  let credential: NewOAuthCredential;
  let clock = Date.now();
  let verifier: OAuth1Verifier;
  let nonces: NonceStore;

  const header = async (
    options: { url?: string; nonce?: string; now?: number; method?: 'HMAC-SHA1' | 'HMAC-SHA256' } = {},
  ) => {
    const signer = createOAuth1Signer({
      ...credential,
      ...(options.method ? { signatureMethod: options.method } : {}),
      now: () => options.now ?? clock,
      ...(options.nonce ? { nonce: () => options.nonce as string } : {}),
    });
    const signed = await signer.sign(new Request(options.url ?? URL_SIGNED));
    return signed.headers.get('authorization') ?? '';
  };

  beforeAll(async () => {
    database = await openTestPglite();
    await migrate(database.db);
    const keyring = new Keyring(MasterKey.generate());
    credentials = new OAuthCredentialStore(database.db, () => keyring);
    credential = await credentials.create({ accounts: ['le1'], permissions: ['MTLS_READ_INTERNAL'] });
    nonces = new NonceStore(database.db, { now: () => clock, purgeIntervalMs: 0 });
    verifier = new OAuth1Verifier({ credentials, nonces, now: () => clock });
  });
  afterAll(async () => database?.cleanup());

  it('verifies the SDK signature and answers the credential scope', async () => {
    await expect(
      verifier.verify({ method: 'GET', url: URL_SIGNED, authorization: await header() }),
    ).resolves.toEqual({
      scheme: 'oauth1',
      credentialKind: 'oauth1',
      subject: credential.consumerKey,
      accounts: ['le1'],
      permissions: ['MTLS_READ_INTERNAL'],
    });
  });

  it('accepts timestamps within ±5 minutes only', async () => {
    const at = (offsetMs: number) => header({ now: clock + offsetMs });
    await expect(
      verifier.verify({ method: 'GET', url: URL_SIGNED, authorization: await at(-299_000) }),
    ).resolves.toBeDefined();
    await expect(
      verifier.verify({ method: 'GET', url: URL_SIGNED, authorization: await at(299_000) }),
    ).resolves.toBeDefined();
    await expect(
      verifier.verify({ method: 'GET', url: URL_SIGNED, authorization: await at(301_000) }),
    ).rejects.toThrow(/clock/);
  });

  it('answers 400 for a malformed header (missing parameter, wrong version, unknown method)', async () => {
    const good = await header();
    const variants = [
      good.replace(/oauth_nonce="[^"]*",\s*/, ''),
      good.replace('oauth_version="1.0"', 'oauth_version="2.0"'),
      good.replace('HMAC-SHA1', 'PLAINTEXT'),
      'OAuth oauth_consumer_key=bad',
    ];
    for (const authorization of variants) {
      await expect(verifier.verify({ method: 'GET', url: URL_SIGNED, authorization })).rejects.toBeInstanceOf(
        InvalidRequestError,
      );
    }
  });

  it('refuses a request with oauth_token, another method, or another URL', async () => {
    const withToken = createOAuth1Signer({ ...credential, token: 't', tokenSecret: 's', now: () => clock });
    const tokenHeader = (await withToken.sign(new Request(URL_SIGNED))).headers.get('authorization') ?? '';
    await expect(
      verifier.verify({ method: 'GET', url: URL_SIGNED, authorization: tokenHeader }),
    ).rejects.toThrow(/oauth_token/);
    await expect(
      verifier.verify({ method: 'POST', url: URL_SIGNED, authorization: await header() }),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(
      verifier.verify({
        method: 'GET',
        url: 'https://gateway.example/mtls/account/le1/certificates?b=2&a=1',
        authorization: await header(),
      }),
    ).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('remembers nonces until the window has passed, then purges them', async () => {
    const authorization = await header({ nonce: 'fixed-nonce', method: 'HMAC-SHA256' });
    await verifier.verify({ method: 'GET', url: URL_SIGNED, authorization });
    await expect(verifier.verify({ method: 'GET', url: URL_SIGNED, authorization })).rejects.toThrow(/nonce/);
    // The same nonce with another timestamp is another request (RFC 5849 §3.3).
    await verifier.verify({
      method: 'GET',
      url: URL_SIGNED,
      authorization: await header({ nonce: 'fixed-nonce', now: clock + 1000 }),
    });

    const count = async () =>
      (
        await database.db.query<{ n: number }>(
          "SELECT count(*) AS n FROM oauth_nonces WHERE nonce = 'fixed-nonce'",
        )
      ).rows[0]?.n;
    expect(await count()).toBe(2);
    clock += 10 * 60 * 1000;
    expect(await nonces.purgeExpired()).toBeGreaterThanOrEqual(2);
    expect(await count()).toBe(0);
  });

  it('accepts a request sent many times at once exactly once', async () => {
    const authorization = await header({ nonce: 'concurrent-nonce' });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => verifier.verify({ method: 'GET', url: URL_SIGNED, authorization })),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(UnauthorizedError);
    }
  });

  it('refuses a revoked credential', async () => {
    const other = await credentials.create({ accounts: ['*'], permissions: ['MTLS_READ_INTERNAL'] });
    const signer = createOAuth1Signer({ ...other, now: () => clock });
    const authorization = async () =>
      (await signer.sign(new Request(URL_SIGNED))).headers.get('authorization') ?? '';
    await expect(
      verifier.verify({ method: 'GET', url: URL_SIGNED, authorization: await authorization() }),
    ).resolves.toBeDefined();
    await credentials.revoke(other.consumerKey);
    await expect(
      verifier.verify({ method: 'GET', url: URL_SIGNED, authorization: await authorization() }),
    ).rejects.toBeInstanceOf(UnauthorizedError);
  });
});

describe('twoLeggedHmac', () => {
  const secrets = ['kd94hf93k423kf44', '', "a b+c/d=e&f%20!*'()~", 'é€😀', 'base64url-_AZaz09'];
  const baseStrings = [
    'GET&http%3A%2F%2Fgateway.example%2Fmtls&a%3D1%26oauth_nonce%3Dn',
    'POST&https%3A%2F%2Fx.example%2F&q%3D%25C3%25A9',
    'ünïcode base string',
  ];

  it.each(['HMAC-SHA1', 'HMAC-SHA256'] as const)('equals the contract signHmac for %s', async (method) => {
    for (const secret of secrets) {
      for (const baseString of baseStrings) {
        expect(twoLeggedHmac(baseString, secret, method)).toBe(
          await signHmac(baseString, secret, undefined, method),
        );
      }
    }
  });

  it('depends on the method and on the percent-encoded secret', () => {
    const base = baseStrings[0] as string;
    expect(twoLeggedHmac(base, 'a b', 'HMAC-SHA1')).not.toBe(twoLeggedHmac(base, 'a b', 'HMAC-SHA256'));
    // Raw "a b&" would be another key than the encoded "a%20b&".
    expect(twoLeggedHmac(base, 'a b', 'HMAC-SHA1')).not.toBe(twoLeggedHmac(base, 'a%20b', 'HMAC-SHA1'));
  });
});
