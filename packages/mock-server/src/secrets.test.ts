// Nothing the mock keeps, logs or saves holds a secret: after uploads with passwords and PKCS#12 files and
// requests with credentials, the call log, the devtools dump, the snapshot, the persisted data and the
// coverage report hold none of them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { readSeedFile } from './cli.js';
import { setupMockServer } from './node.js';
import { persistMockState, type StorageLike } from './persistence.js';
import { createMockState } from './state.js';
import { createTestP12 } from './test-p12.js';
import { unhandledRequestWithoutBody } from './unhandled.js';

const ACCOUNT_URL = 'https://gw.example.com/mtls/account/le1606809';
const PASSWORD = 'pa55-Very-Secret';
const TOKEN = 'tok-9f8e7d6c5b4a';
const OVERRIDE = 'Basic dXNlcjpyZW1vdGUtc2VjcmV0';
const p12 = createTestP12({ password: PASSWORD, commonName: 'tenant-7' });
const base64 = btoa(String.fromCharCode(...p12));

const saved = new Map<string, string>();
const storage: StorageLike = {
  getItem: (key) => saved.get(key) ?? null,
  setItem: (key, value) => {
    saved.set(key, value);
  },
  removeItem: (key) => {
    saved.delete(key);
  },
};
const mock = setupMockServer();
persistMockState(mock.state, { storage });
beforeAll(() => mock.listen());
afterAll(() => mock.close());

function expectNoSecret(text: string) {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain('dXNlcjpyZW1vdGUtc2VjcmV0');
  // Any 40 characters of the file's base64 (the certificate's own PEM is public and may be kept).
  for (let at = 0; at + 40 <= base64.length; at += 400) expect(text).not.toContain(base64.slice(at, at + 40));
}

test('uploads, forwards and failures leave no secret in the log, the dump, the snapshot or the storage', async () => {
  const headers = { Authorization: `Bearer ${TOKEN}` };
  const created = await fetch(`${ACCOUNT_URL}/certificates`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify([{ name: 'Json', p12: base64, password: PASSWORD }]),
  });
  expect(created.status).toBe(201);
  const form = new FormData();
  form.set('file', new Blob([p12]), 'client.p12');
  form.set(
    'certificate',
    new Blob([JSON.stringify({ name: 'File', password: PASSWORD })], { type: 'application/json' }),
  );
  expect(
    (await fetch(`${ACCOUNT_URL}/certificates/byFile`, { method: 'POST', headers, body: form })).status,
  ).toBe(201);
  const wrong = await fetch(`${ACCOUNT_URL}/certificates?allowExpired=true`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify([{ name: 'Wrong', p12: base64, password: `${PASSWORD}-typo` }]),
  });
  expect(wrong.status).toBe(400);
  expectNoSecret(await wrong.text());
  await fetch(ACCOUNT_URL, {
    headers: {
      ...headers,
      'LP-forward-url': 'https://api.example.com/x',
      'LP-authorization-override': OVERRIDE,
    },
  });

  const state = mock.state;
  expect(state.calls).toHaveLength(4);
  expectNoSecret(JSON.stringify(state.calls));
  expectNoSecret(JSON.stringify(state.callHistory));
  const { certificates, mappings } = state.store.all();
  expectNoSecret(JSON.stringify({ certificates, mappings })); // what the devtools dump() shows, and more
  expectNoSecret(JSON.stringify(state.snapshot()));
  expect(saved.size).toBe(1);
  expectNoSecret([...saved.values()].join('\n'));
  expectNoSecret(JSON.stringify(state.coverage()));
  expectNoSecret(state.coverage().format());
});

test('a seeded file is opened once: the state keeps neither it nor its password to seed again', () => {
  const bytes = new Uint8Array(p12);
  const state = createMockState({
    certificates: [{ accountId: 'a1', name: 'Seeded', p12: bytes, password: PASSWORD }],
  });
  const before = state.listCertificates('a1');
  bytes.fill(0); // were the state to read the caller's file again, reset() would fail now
  state.reset();
  expect(state.listCertificates('a1')).toEqual(before);
  expect(before[0]?.subject).toBe('CN=tenant-7');
});

test('an unreadable seed file is reported without quoting it', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'mtls-mock-secret-'));
  try {
    const file = join(directory, 'seed.json');
    // Unquoted, as a hand-edited file may have it: JSON.parse's own message would quote it.
    writeFileSync(file, `{"certificates": [{"name": "C", "password": ${PASSWORD}}]}`);
    const error = await readSeedFile(file).then(
      () => new Error('read'),
      (caught: unknown) => caught as Error,
    );
    expect(error.message).toMatch(/is not valid JSON/);
    expect(error.message).not.toContain(PASSWORD.slice(0, 6)); // JSON.parse quotes ~10 characters around the error
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('a request no handler serves fails, and MSW’s message shows its method and URL but not its body', async () => {
  const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const sent = fetch('https://elsewhere.example.com/upload?x=1', {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ password: PASSWORD, p12: base64 }),
    });
    await expect(sent).rejects.toThrow(TypeError); // a network error, as with MSW's 'error'
    const text = printed.mock.calls.flat().map(String).join('\n');
    expect(text).toContain('POST https://elsewhere.example.com/upload?x=1');
    expect(text).toContain('Its body is not shown');
    expectNoSecret(text);
  } finally {
    printed.mockRestore();
  }
});

test('unhandledRequestWithoutBody: warn lets the request through, error throws a network error', () => {
  const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const errored = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const request = new Request('https://elsewhere.example.com/a', { method: 'PUT', body: PASSWORD });
    const print = { warning: () => {}, error: () => {} };
    expect(() => unhandledRequestWithoutBody('warn')(request, print)).not.toThrow();
    expect(String(warned.mock.calls[0]?.[0])).toMatch(
      /^\[MSW\] Warning: .*\n\n {2}• PUT https:\/\/elsewhere\.example\.com\/a\n/,
    );
    let thrown: unknown;
    try {
      unhandledRequestWithoutBody('error')(request, print);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).type).toBe('error');
    expect(String(errored.mock.calls[0]?.[0])).toMatch(/^\[MSW\] Error: /);
    expectNoSecret([...warned.mock.calls, ...errored.mock.calls].flat().map(String).join('\n'));
  } finally {
    warned.mockRestore();
    errored.mockRestore();
  }
});
