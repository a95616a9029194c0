import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import {
  baseStringUri,
  buildAuthorizationHeader,
  isOAuthSignatureMethod,
  normalizeParameters,
  OAuth1Error,
  OAuthHeaderSyntaxError,
  OAuthSignatureMethodError,
  OAuthUnsignableUrlError,
  parseAuthorizationHeader,
  percentEncode,
  signatureBaseString,
  signHmac,
  WebCryptoUnavailableError,
} from './oauth1.js';

// RFC 5849 §1.2 credentials (printer.example.com / photos.example.net).
const PHOTOS_CONSUMER = { key: 'dpf43f3p2l4k3l03', secret: 'kd94hf93k423kf44' };
const PHOTOS_TOKEN = { key: 'nnch734d00sl2jdk', secret: 'pfkkdhi9sl3r4s00' };

// RFC 5849 §3.4.1.1, printed there over five lines.
const RFC_3_4_1_1_BASE_STRING =
  'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q' +
  '%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_' +
  'key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m' +
  'ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk' +
  '9d7dh3k39sjv7';

// RFC 5849 §3.4.1.3.2.
const RFC_NORMALIZED_PARAMETERS =
  'a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2' +
  '&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7';

const RFC_3_1_OAUTH_PARAMS = {
  realm: 'Example',
  oauth_consumer_key: '9djdj82h48djs9d2',
  oauth_token: 'kkk9d7dh3k39sjv7',
  oauth_signature_method: 'HMAC-SHA1',
  oauth_timestamp: '137131201',
  oauth_nonce: '7d8f3e4a',
  oauth_signature: 'bYT5CMsGcbgUdFHObYMEfcx6bsw=',
};

describe('percentEncode (RFC 5849 §3.6)', () => {
  it('leaves exactly the RFC 3986 unreserved characters alone and encodes every other ASCII byte', () => {
    for (let code = 0; code < 128; code++) {
      const char = String.fromCharCode(code);
      const unreserved = /[A-Za-z0-9\-._~]/.test(char);
      const expected = unreserved ? char : `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
      expect(percentEncode(char), `code ${code}`).toBe(expected);
    }
  });

  it("encodes the sub-delimiters encodeURIComponent keeps (!*'()) and a space as %20, never +", () => {
    expect(percentEncode("!*'()")).toBe('%21%2A%27%28%29');
    expect(percentEncode('Ladies + Gentlemen')).toBe('Ladies%20%2B%20Gentlemen');
    expect(percentEncode('a=b&c/d?e%f')).toBe('a%3Db%26c%2Fd%3Fe%25f');
  });

  it('encodes non-ASCII text as UTF-8 bytes with upper-case hex', () => {
    expect(percentEncode('é')).toBe('%C3%A9');
    expect(percentEncode('☃')).toBe('%E2%98%83');
    expect(percentEncode('😀')).toBe('%F0%9F%98%80');
    expect(percentEncode('')).toBe('');
  });
});

describe('normalizeParameters (RFC 5849 §3.4.1.3.2)', () => {
  it('reproduces the normalized parameter string printed in the RFC', () => {
    const pairs: Array<[string, string]> = [
      ['b5', '=%3D'],
      ['a3', 'a'],
      ['c@', ''],
      ['a2', 'r b'],
      ['oauth_consumer_key', '9djdj82h48djs9d2'],
      ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'],
      ['c2', ''],
      ['a3', '2 q'],
    ];
    expect(normalizeParameters(pairs)).toBe(RFC_NORMALIZED_PARAMETERS);
  });

  it('sorts by byte value of the encoded form, not by locale', () => {
    // 'Z' (0x5A) < '_' (0x5F) < 'a' (0x61); '%' (0x25) sorts before letters once encoded.
    expect(
      normalizeParameters([
        ['a', '1'],
        ['_', '1'],
        ['Z', '1'],
        [' ', '1'],
      ]),
    ).toBe('%20=1&Z=1&_=1&a=1');
  });

  it('keeps repeated names, ordered by value, and empty values', () => {
    expect(
      normalizeParameters([
        ['tag', 'b'],
        ['tag', ''],
        ['tag', 'a'],
      ]),
    ).toBe('tag=&tag=a&tag=b');
  });
});

describe('baseStringUri (RFC 5849 §3.4.1.2)', () => {
  it('reproduces the RFC examples', () => {
    expect(baseStringUri('HTTP://EXAMPLE.COM:80/r%20v/X?id=123')).toBe('http://example.com/r%20v/X');
    expect(baseStringUri('https://www.example.net:8080/?q=1')).toBe('https://www.example.net:8080/');
  });

  it('drops only the default port of the scheme', () => {
    expect(baseStringUri('https://example.com:443/a')).toBe('https://example.com/a');
    expect(baseStringUri('http://example.com:443/a')).toBe('http://example.com:443/a');
    expect(baseStringUri('https://example.com:80/a')).toBe('https://example.com:80/a');
  });

  it('leaves out user info, query and fragment, and keeps an empty path as /', () => {
    expect(baseStringUri('https://user:pass@Example.COM/p/a%2Fth?x=1#frag')).toBe(
      'https://example.com/p/a%2Fth',
    );
    expect(baseStringUri('https://example.com')).toBe('https://example.com/');
  });

  it('refuses non-HTTP and relative URLs with a coded error that does not quote the URL', () => {
    expect(() => baseStringUri('ftp://example.com/file')).toThrow(OAuthUnsignableUrlError);
    expect(() => baseStringUri('/relative/path')).toThrow(OAuthUnsignableUrlError);
    expect(() => baseStringUri('https//user:Secret@example.com/')).toThrow(
      expect.objectContaining({
        code: 'oauth_url_unsignable',
        message: expect.not.stringContaining('Secret'),
      }),
    );
    expect(() => signatureBaseString({ method: 'GET', url: 'data:text/plain,x', oauthParams: {} })).toThrow(
      OAuthUnsignableUrlError,
    );
  });
});

describe('signatureBaseString (RFC 5849 §3.4.1)', () => {
  it('reproduces the §3.4.1.1 base string from query, header and form parameters', () => {
    const baseString = signatureBaseString({
      method: 'POST',
      url: 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b',
      oauthParams: RFC_3_1_OAUTH_PARAMS,
      formBody: 'c2&a3=2+q',
    });
    expect(baseString).toBe(RFC_3_4_1_1_BASE_STRING);
  });

  it('accepts the form body as URLSearchParams and a lower-case method', () => {
    const baseString = signatureBaseString({
      method: 'post',
      url: new URL('http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b'),
      oauthParams: RFC_3_1_OAUTH_PARAMS,
      formBody: new URLSearchParams('c2&a3=2+q'),
    });
    expect(baseString).toBe(RFC_3_4_1_1_BASE_STRING);
  });

  it('decodes + in the query as a space and keeps repeated query parameters', () => {
    const baseString = signatureBaseString({
      method: 'GET',
      url: 'https://example.com/p?q=a+b&q=a%2Bb&empty=',
      oauthParams: {},
    });
    expect(baseString).toBe(`GET&https%3A%2F%2Fexample.com%2Fp&${percentEncode('empty=&q=a%20b&q=a%2Bb')}`);
  });

  it('leaves out an oauth_signature sent in the query', () => {
    const withSignature = signatureBaseString({
      method: 'GET',
      url: 'https://example.com/p?oauth_signature=abc&x=1',
      oauthParams: { oauth_nonce: 'n' },
    });
    expect(withSignature).toBe(
      signatureBaseString({
        method: 'GET',
        url: 'https://example.com/p?x=1',
        oauthParams: { oauth_nonce: 'n' },
      }),
    );
  });
});

describe('signHmac (RFC 5849 §3.4.2)', () => {
  it('reproduces the RFC 5849 §1.2 photo request signature', async () => {
    const baseString = signatureBaseString({
      method: 'GET',
      url: 'http://photos.example.net/photos?file=vacation.jpg&size=original',
      oauthParams: {
        realm: 'Photos',
        oauth_consumer_key: PHOTOS_CONSUMER.key,
        oauth_token: PHOTOS_TOKEN.key,
        oauth_signature_method: 'HMAC-SHA1',
        oauth_timestamp: '137131202',
        oauth_nonce: 'chapoH',
      },
    });
    expect(baseString).toBe(
      'GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03' +
        '%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202' +
        '%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal',
    );
    await expect(
      signHmac(baseString, PHOTOS_CONSUMER.secret, PHOTOS_TOKEN.secret, 'HMAC-SHA1'),
    ).resolves.toBe('MdpQcU8iPSUjWoN/UDMsK2sui9I=');
  });

  it('reproduces the RFC 5849 §1.2 temporary-credential request (no token, empty token secret)', async () => {
    const baseString = signatureBaseString({
      method: 'POST',
      url: 'https://photos.example.net/initiate',
      oauthParams: {
        realm: 'Photos',
        oauth_consumer_key: PHOTOS_CONSUMER.key,
        oauth_signature_method: 'HMAC-SHA1',
        oauth_timestamp: '137131200',
        oauth_nonce: 'wIjqoS',
        oauth_callback: 'http://printer.example.com/ready',
      },
    });
    await expect(signHmac(baseString, PHOTOS_CONSUMER.secret, undefined)).resolves.toBe(
      '74KNZJeDHnMBp0EMJ9ZHt/XKycU=',
    );
  });

  it('matches an independent HMAC-SHA256 computed with node:crypto, secrets percent-encoded in the key', async () => {
    const consumerSecret = 'c s&ecret+é';
    const tokenSecret = 't/secret~';
    const expected = createHmac('sha256', 'c%20s%26ecret%2B%C3%A9&t%2Fsecret~')
      .update(RFC_3_4_1_1_BASE_STRING)
      .digest('base64');
    await expect(signHmac(RFC_3_4_1_1_BASE_STRING, consumerSecret, tokenSecret, 'HMAC-SHA256')).resolves.toBe(
      expected,
    );
    // And it differs from SHA-1 over the same input, so the algorithm is really switched.
    await expect(signHmac(RFC_3_4_1_1_BASE_STRING, consumerSecret, tokenSecret, 'HMAC-SHA1')).resolves.toBe(
      createHmac('sha1', 'c%20s%26ecret%2B%C3%A9&t%2Fsecret~')
        .update(RFC_3_4_1_1_BASE_STRING)
        .digest('base64'),
    );
  });

  it('rejects unknown signature methods', async () => {
    // @ts-expect-error: JavaScript callers can pass anything.
    await expect(signHmac('x', 'a', 'b', 'PLAINTEXT')).rejects.toBeInstanceOf(OAuthSignatureMethodError);
    // @ts-expect-error: not even a name of Object.prototype.
    await expect(signHmac('x', 'a', 'b', 'toString')).rejects.toMatchObject({
      code: 'oauth_signature_method_unsupported',
    });
  });

  it('says so when Web Crypto is missing', async () => {
    vi.stubGlobal('crypto', undefined);
    try {
      await expect(signHmac('x', 'a', undefined)).rejects.toBeInstanceOf(WebCryptoUnavailableError);
    } finally {
      vi.unstubAllGlobals();
    }
    await expect(signHmac('x', 'a', undefined)).resolves.toMatch(/=$/);
  });
});

describe('parseAuthorizationHeader (RFC 5849 §3.5.1)', () => {
  it('parses the RFC §3.5.1 example header, folded over several lines', () => {
    const header = `OAuth realm="Example",
        oauth_consumer_key="0685bd9184jfhq22",
        oauth_token="ad180jjd733klru7",
        oauth_signature_method="HMAC-SHA1",
        oauth_signature="wOJIO9A2W5mFwDgiDvZbTSMK%2FPY%3D",
        oauth_timestamp="137131200",
        oauth_nonce="4572616e48616d6d65724c61686176",
        oauth_version="1.0"`;
    expect(parseAuthorizationHeader(header)).toEqual({
      realm: 'Example',
      oauth_consumer_key: '0685bd9184jfhq22',
      oauth_token: 'ad180jjd733klru7',
      oauth_signature_method: 'HMAC-SHA1',
      oauth_signature: 'wOJIO9A2W5mFwDgiDvZbTSMK/PY=',
      oauth_timestamp: '137131200',
      oauth_nonce: '4572616e48616d6d65724c61686176',
      oauth_version: '1.0',
    });
  });

  it('tolerates whitespace around = and commas, empty list elements and a lower-case scheme', () => {
    expect(parseAuthorizationHeader('  oauth   a = "1" ,, \t b="x%20y" ,  ')).toEqual({ a: '1', b: 'x y' });
    expect(parseAuthorizationHeader('OAuth')).toEqual({});
  });

  it('reads realm as a quoted string (backslash escapes, no percent-decoding)', () => {
    expect(parseAuthorizationHeader('OAuth realm="a \\"b\\" %20", oauth_nonce="n"')).toEqual({
      realm: 'a "b" %20',
      oauth_nonce: 'n',
    });
  });

  it('round-trips what buildAuthorizationHeader produces', () => {
    const params = {
      realm: 'Photos "2"',
      oauth_consumer_key: 'key with spaces',
      oauth_signature: 'tR3+Ty81lMeYAr/Fid0kMTYa/WM=',
      oauth_callback: 'http://printer.example.com/ready?x=é',
    };
    expect(parseAuthorizationHeader(buildAuthorizationHeader(params))).toEqual(params);
  });

  it('does not let a parameter named __proto__ touch the prototype', () => {
    const params = parseAuthorizationHeader('OAuth __proto__="x", oauth_nonce="n"');
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(params, '__proto__')?.value).toBe('x');
  });

  it.each([
    ['another scheme', 'Bearer abc'],
    ['scheme glued to a parameter', 'OAuthrealm="x"'],
    ['unquoted value', 'OAuth oauth_nonce=abc'],
    ['token68 form', 'OAuth abcdef=='],
    ['missing =', 'OAuth oauth_nonce "abc"'],
    ['unterminated quote', 'OAuth oauth_nonce="abc'],
    ['missing comma', 'OAuth a="1" b="2"'],
    ['junk after a value', 'OAuth a="1"x, b="2"'],
    ['repeated parameter', 'OAuth oauth_nonce="a", oauth_nonce="b"'],
    ['bad percent escape', 'OAuth oauth_nonce="a%G1"'],
    ['truncated percent escape', 'OAuth oauth_nonce="a%2"'],
    ['invalid UTF-8', 'OAuth oauth_nonce="%FF"'],
    ['control character', 'OAuth oauth_nonce="a\u0000b"'],
    ['raw non-ASCII', 'OAuth oauth_nonce="é"'],
    ['empty name', 'OAuth ="x"'],
  ])('rejects %s with a coded error that carries no HTTP status', (_case, header) => {
    let caught: unknown;
    try {
      parseAuthorizationHeader(header);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OAuthHeaderSyntaxError);
    expect(caught).toBeInstanceOf(OAuth1Error);
    expect(caught).toMatchObject({ code: 'oauth_header_invalid', name: 'OAuthHeaderSyntaxError' });
    // The server decides what a malformed header answers (its own 400 problem); this layer does not know HTTP.
    expect(caught).not.toHaveProperty('status');
  });

  it('never echoes the header content in its error', () => {
    const signature = 'SuperSecretSignatureValue';
    expect(() => parseAuthorizationHeader(`OAuth oauth_signature="${signature}" junk`)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(signature) }),
    );
  });
});

describe('buildAuthorizationHeader', () => {
  it('puts realm first and percent-encodes names and values', () => {
    expect(
      buildAuthorizationHeader({
        oauth_consumer_key: 'key',
        realm: 'Example',
        oauth_signature: 'a/b+c=',
      }),
    ).toBe('OAuth realm="Example", oauth_consumer_key="key", oauth_signature="a%2Fb%2Bc%3D"');
  });
});

describe('isOAuthSignatureMethod', () => {
  it('accepts the two HMAC methods only, and no name of Object.prototype', () => {
    expect(isOAuthSignatureMethod('HMAC-SHA1')).toBe(true);
    expect(isOAuthSignatureMethod('HMAC-SHA256')).toBe(true);
    for (const other of ['PLAINTEXT', 'RSA-SHA1', 'hmac-sha1', 'toString', '__proto__', '', undefined, 1]) {
      expect(isOAuthSignatureMethod(other), String(other)).toBe(false);
    }
  });
});

describe('errors', () => {
  it('have literal names, so they survive minification, and stable codes', () => {
    const errors = [
      [new OAuthHeaderSyntaxError('x'), 'OAuthHeaderSyntaxError', 'oauth_header_invalid'],
      [new OAuthUnsignableUrlError('x'), 'OAuthUnsignableUrlError', 'oauth_url_unsignable'],
      [new OAuthSignatureMethodError('x'), 'OAuthSignatureMethodError', 'oauth_signature_method_unsupported'],
      [new WebCryptoUnavailableError('x'), 'WebCryptoUnavailableError', 'web_crypto_unavailable'],
    ] as const;
    for (const [error, name, code] of errors) {
      expect(error).toBeInstanceOf(OAuth1Error);
      expect(error).toMatchObject({ name, code, message: 'x' });
      expect(String(error)).toBe(`${name}: x`);
    }
  });
});
