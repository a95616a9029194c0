import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, redactUrl, scrubSecrets } from './logging.js';
import { LogCapture } from './testing/test-app.js';

describe('createLogger', () => {
  it('redacts secrets at any depth and keeps everything else', () => {
    const logs = new LogCapture();
    const logger = createLogger({ destination: logs });
    logger.info(
      {
        password: 'top-1',
        request: {
          headers: {
            authorization: 'Bearer top-2',
            'lp-authorization-override': 'x-3',
            cookie: 'c-4',
            accept: '*/*',
          },
        },
        body: { items: { p12: 'p12-5', privateKeyPem: 'pem-6', nested: { consumerSecret: 'cs-7' } } },
        token: 'tok-8',
        masterKey: 'mk-9',
        harmless: 'visible',
      },
      'message',
    );
    const text = logs.text;
    for (const secret of ['top-1', 'top-2', 'x-3', 'c-4', 'p12-5', 'pem-6', 'cs-7', 'tok-8', 'mk-9']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('visible');
    expect(text).toContain('*/*');
    expect(JSON.parse(logs.lines[0] ?? '{}').request.headers.authorization).toBe('[redacted]');
  });
});

describe('redactUrl', () => {
  it.each([
    ['/a?access_token=abc&page=2', '/a?access_token=[redacted]&page=2'],
    [
      '/a?api_key=1&password=2&oauth_signature=3&q=x',
      '/a?api_key=[redacted]&password=[redacted]&oauth_signature=[redacted]&q=x',
    ],
    ['/plain/path', '/plain/path'],
    ['/a?flag&Secret%5Fid=1', '/a?flag&Secret%5Fid=[redacted]'],
  ])('%s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('scrubSecrets', () => {
  it('redacts in arrays and nested objects, case-insensitively, sharing untouched branches', () => {
    const untouched = { a: 1, list: [1, 2] };
    const input = {
      untouched,
      items: [{ Password: 'x' }, { name: 'ok' }],
      headers: { 'LP-Authorization-Override': 'y', Accept: 'z' },
    };
    const output = scrubSecrets(input);
    expect(output).toEqual({
      untouched,
      items: [{ Password: REDACTED }, { name: 'ok' }],
      headers: { 'LP-Authorization-Override': REDACTED, Accept: 'z' },
    });
    expect(output.untouched).toBe(untouched);
    expect(input.items[0]).toEqual({ Password: 'x' });
  });

  it('leaves class instances and primitives alone', () => {
    const error = new Error('boom');
    expect(scrubSecrets(error)).toBe(error);
    expect(scrubSecrets('token')).toBe('token');
    const withNullPrototype = Object.assign(Object.create(null) as Record<string, unknown>, { token: 't' });
    expect(scrubSecrets(withNullPrototype).token).toBe(REDACTED);
  });
});
