import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { parseAuthorizationHeader, signatureBaseString, signHmac } from '@mtls-gateway/contract/oauth1';
import { describe, expect, it, vi } from 'vitest';
import { AuthConfigurationError, UnsignableRequestError } from './errors.js';
import { createOAuth1Signer } from './oauth1.js';

// The RFC 5849 building blocks (base string, percent-encoding, HMAC, header syntax) are tested with their code
// in @mtls-gateway/contract/oauth1; here the signer is checked against them, as the server verifies it.

// RFC 5849 §1.2 credentials (printer.example.com / photos.example.net).
const PHOTOS_CONSUMER = { key: 'dpf43f3p2l4k3l03', secret: 'kd94hf93k423kf44' };
const PHOTOS_TOKEN = { key: 'nnch734d00sl2jdk', secret: 'pfkkdhi9sl3r4s00' };

describe('createOAuth1Signer', () => {
  const fixedSigner = (overrides: Partial<Parameters<typeof createOAuth1Signer>[0]> = {}) =>
    createOAuth1Signer({
      consumerKey: PHOTOS_CONSUMER.key,
      consumerSecret: PHOTOS_CONSUMER.secret,
      token: PHOTOS_TOKEN.key,
      tokenSecret: PHOTOS_TOKEN.secret,
      now: () => 1_191_242_096_000,
      nonce: () => 'kllo9940pd9333jh',
      ...overrides,
    });

  it('reproduces the published OAuth Core 1.0 Appendix A signature (tR3+Ty81lMeYAr/Fid0kMTYa/WM=)', async () => {
    const signed = await fixedSigner({ realm: 'Photos' }).sign(
      new Request('http://photos.example.net/photos?file=vacation.jpg&size=original'),
    );
    expect(signed.headers.get('authorization')).toBe(
      'OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_nonce="kllo9940pd9333jh", ' +
        'oauth_signature_method="HMAC-SHA1", oauth_timestamp="1191242096", oauth_token="nnch734d00sl2jdk", ' +
        'oauth_version="1.0", oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D"',
    );
  });

  it('signs form parameters read from a clone and moves the body to the signed request', async () => {
    const original = new Request('https://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: 'c2&a3=2+q',
    });
    const signed = await fixedSigner().sign(original);

    expect(await signed.text()).toBe('c2&a3=2+q');
    expect(original.bodyUsed).toBe(true);

    const params = parseAuthorizationHeader(signed.headers.get('authorization') ?? '');
    const withForm = signatureBaseString({
      method: 'POST',
      url: signed.url,
      oauthParams: params,
      formBody: 'c2&a3=2+q',
    });
    const withoutForm = signatureBaseString({ method: 'POST', url: signed.url, oauthParams: params });
    const signature = (baseString: string) =>
      signHmac(baseString, PHOTOS_CONSUMER.secret, PHOTOS_TOKEN.secret);
    expect(params.oauth_signature).toBe(await signature(withForm));
    expect(params.oauth_signature).not.toBe(await signature(withoutForm));
  });

  it('does not sign other bodies and leaves them untouched', async () => {
    const body = JSON.stringify({ name: 'Cert1', a3: 'x' });
    const signed = await fixedSigner().sign(
      new Request('https://example.com/certificates', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      }),
    );
    const params = parseAuthorizationHeader(signed.headers.get('authorization') ?? '');
    const baseString = signatureBaseString({ method: 'POST', url: signed.url, oauthParams: params });
    expect(params.oauth_signature).toBe(
      await signHmac(baseString, PHOTOS_CONSUMER.secret, PHOTOS_TOKEN.secret),
    );
    expect(await signed.text()).toBe(body);
    expect(signed.headers.get('content-type')).toBe('application/json');
  });

  it('signs with HMAC-SHA256 when asked, upper-cases the method and replaces an existing Authorization', async () => {
    const signed = await fixedSigner({ signatureMethod: 'HMAC-SHA256' }).sign(
      new Request('https://example.com/x', { method: 'purge', headers: { Authorization: 'Basic old' } }),
    );
    const params = parseAuthorizationHeader(signed.headers.get('authorization') ?? '');
    expect(params.oauth_signature_method).toBe('HMAC-SHA256');
    const baseString = signatureBaseString({ method: 'PURGE', url: signed.url, oauthParams: params });
    expect(baseString.startsWith('PURGE&')).toBe(true);
    expect(params.oauth_signature).toBe(
      createHmac('sha256', `${PHOTOS_CONSUMER.secret}&${PHOTOS_TOKEN.secret}`)
        .update(baseString)
        .digest('base64'),
    );
  });

  it('sends a fresh 128-bit random nonce and the timestamp in seconds by default', async () => {
    const signer = createOAuth1Signer({ consumerKey: 'key', consumerSecret: 'secret' });
    const before = Math.floor(Date.now() / 1000);
    const first = parseAuthorizationHeader(
      (await signer.sign(new Request('https://example.com/'))).headers.get('authorization') ?? '',
    );
    const second = parseAuthorizationHeader(
      (await signer.sign(new Request('https://example.com/'))).headers.get('authorization') ?? '',
    );
    expect(first.oauth_nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(second.oauth_nonce).not.toBe(first.oauth_nonce);
    expect(Number(first.oauth_timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(first.oauth_timestamp)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(first).not.toHaveProperty('oauth_token');
  });

  it.each([
    ['an empty consumer key', { consumerKey: '', consumerSecret: 'TopSecret' }],
    ['an empty consumer secret', { consumerKey: 'key', consumerSecret: '' }],
    [
      'a token secret without a token',
      { consumerKey: 'key', consumerSecret: 'TopSecret', tokenSecret: 'TokSecret' },
    ],
    [
      'an unknown signature method',
      { consumerKey: 'key', consumerSecret: 'TopSecret', signatureMethod: 'RSA-SHA1' },
    ],
  ])('refuses %s without echoing secrets', (_case, options) => {
    let caught: unknown;
    try {
      createOAuth1Signer(options as Parameters<typeof createOAuth1Signer>[0]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AuthConfigurationError);
    expect(caught).toMatchObject({ code: 'auth_misconfigured' });
    expect(String(caught)).not.toMatch(/TopSecret|TokSecret/);
  });

  it('refuses a request whose body was already read', async () => {
    const request = new Request('https://example.com/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    await request.text();
    await expect(fixedSigner().sign(request)).rejects.toBeInstanceOf(UnsignableRequestError);
  });

  it('refuses a URL OAuth 1.0a cannot sign with its own coded error', async () => {
    const error = await fixedSigner()
      .sign(new Request('ftp://example.com/file'))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnsignableRequestError);
    expect(error).toMatchObject({ code: 'auth_request_unsignable', name: 'UnsignableRequestError' });
  });

  it('reports a runtime without Web Crypto as a configuration error', async () => {
    const signer = fixedSigner();
    vi.stubGlobal('crypto', undefined);
    try {
      await expect(signer.sign(new Request('https://example.com/'))).rejects.toMatchObject({
        code: 'auth_misconfigured',
        name: 'AuthConfigurationError',
      });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('keeps secrets out of JSON and inspection of the signer', () => {
    const signer = fixedSigner();
    expect(JSON.stringify(signer)).not.toContain(PHOTOS_CONSUMER.secret);
    expect(inspect(signer, { depth: 5, showHidden: true })).not.toContain(PHOTOS_CONSUMER.secret);
    expect(inspect(signer, { depth: 5, showHidden: true })).not.toContain(PHOTOS_TOKEN.secret);
  });
});
