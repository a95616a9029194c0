import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors.js';
import { parseForwardTarget } from './target-url.js';

describe('parseForwardTarget', () => {
  it('keeps the path and query exactly as given', () => {
    expect(parseForwardTarget('https://api.example.com/a/../b/%7e?x=%2F&y=a+b#frag')).toMatchObject({
      origin: 'https://api.example.com',
      path: '/a/../b/%7e?x=%2F&y=a+b',
      displayAuthority: 'api.example.com:443',
    });
    expect(parseForwardTarget('https://api.example.com').path).toBe('/');
    expect(parseForwardTarget('https://api.example.com?q=1').path).toBe('/?q=1');
    expect(parseForwardTarget('http://api.example.com:8080/x').displayAuthority).toBe('api.example.com:8080');
  });

  it('takes the host from the WHATWG parse, so every IPv4 notation is normalized', () => {
    expect(parseForwardTarget('http://0x7f.1/x').origin).toBe('http://127.0.0.1');
    expect(parseForwardTarget('https://[::ffff:127.0.0.1]:8443/').origin).toBe(
      'https://[::ffff:7f00:1]:8443',
    );
  });

  it('does not let a backslash hide the real host', () => {
    const target = parseForwardTarget('https://good.example\\@evil.example/x');
    expect(target.url.hostname).toBe('good.example');
    expect(target.path).toBe('/@evil.example/x');
  });

  it('falls back to the encoded form when the raw text cannot go on a request line', () => {
    expect(parseForwardTarget('https://api.example.com/café?q=ü').path).toBe('/caf%C3%A9?q=%C3%BC');
  });

  it.each(['not a url', 'ftp://example.com/', 'https://user:secret@example.com/'])('refuses %s', (url) => {
    expect(() => parseForwardTarget(url)).toThrow(InvalidRequestError);
  });

  it('never echoes credentials', () => {
    try {
      parseForwardTarget('https://user:s3cret@example.com/');
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cret');
    }
  });
});
