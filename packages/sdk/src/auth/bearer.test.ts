import { describe, expect, it } from 'vitest';
import { createBearerAuth } from './bearer.js';
import { AuthConfigurationError } from './errors.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl';

describe('createBearerAuth', () => {
  it('adds Authorization: Bearer and replaces any previous value, moving the body to the signed copy', async () => {
    const original = new Request('https://example.com/x', {
      method: 'PUT',
      headers: { Authorization: 'Basic old', 'Content-Type': 'application/json' },
      body: '{"a":1}',
    });
    const signed = await createBearerAuth(TOKEN).sign(original);
    expect(signed.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(signed.headers.get('content-type')).toBe('application/json');
    expect(await signed.text()).toBe('{"a":1}');
    expect(original.headers.get('authorization')).toBe('Basic old');
    // Moved, not teed: a teed stream would buffer a whole streamed upload for the unread original.
    expect(original.bodyUsed).toBe(true);
  });

  it('calls a provider for every request, so a refreshed token is used at once', async () => {
    let calls = 0;
    const auth = createBearerAuth(async () => `token-${++calls}`);
    const first = await auth.sign(new Request('https://example.com/'));
    const second = await auth.sign(new Request('https://example.com/'));
    expect(first.headers.get('authorization')).toBe('Bearer token-1');
    expect(second.headers.get('authorization')).toBe('Bearer token-2');
    expect(calls).toBe(2);
  });

  it('accepts a synchronous provider and passes its errors through', async () => {
    expect(
      (await createBearerAuth(() => 'abc').sign(new Request('https://e.x/'))).headers.get('authorization'),
    ).toBe('Bearer abc');
    const failure = new Error('token service down');
    await expect(
      createBearerAuth(() => {
        throw failure;
      }).sign(new Request('https://e.x/')),
    ).rejects.toBe(failure);
  });

  it.each([
    ['empty', ''],
    ['with the Bearer prefix', 'Bearer SecretToken123'],
    ['with a line break', 'SecretToken123\r\nX-Injected: 1'],
    ['with a trailing space', 'SecretToken123 '],
    ['non-ASCII', 'SecretTokén123'],
  ])('refuses a token %s without echoing it', async (_case, token) => {
    expect(() => createBearerAuth(token)).toThrow(AuthConfigurationError);
    const fromProvider = createBearerAuth(async () => token).sign(new Request('https://e.x/'));
    await expect(fromProvider).rejects.toMatchObject({ code: 'auth_misconfigured' });
    await fromProvider.catch((error: unknown) => {
      expect(String(error)).not.toContain('SecretTok');
    });
  });

  it('keeps the token out of JSON output', () => {
    expect(JSON.stringify(createBearerAuth(TOKEN))).not.toContain(TOKEN);
  });
});
