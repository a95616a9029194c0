import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, InterruptedError, UsageError } from './errors.js';
import { confirm, promptSecret, readPasswordFile, resolvePassword } from './prompt.js';
import { fakeIo } from './testing/fake-io.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mtls-cli-prompt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('passwords', () => {
  it('reads a password file without one trailing newline', async () => {
    const file = path.join(dir, 'pass');
    await writeFile(file, 'pa ss\n\n');
    expect(await readPasswordFile(file)).toBe('pa ss\n');
    await writeFile(file, 'crlf\r\n');
    expect(await readPasswordFile(file)).toBe('crlf');
    await expect(readPasswordFile(path.join(dir, 'missing'))).rejects.toThrow(
      new ConfigError(`cannot read the password file ${path.join(dir, 'missing')} (ENOENT)`),
    );
  });

  it('asks on a terminal without echoing what is typed', async () => {
    const fake = fakeIo({ tty: { stdin: true, stderr: true }, keepStdinOpen: true });
    const answer = promptSecret(fake.io, 'Password for client.p12: ');
    fake.stdin.write('typed-Secret-42\n');
    await expect(answer).resolves.toBe('typed-Secret-42');
    expect(fake.stderr()).toBe('Password for client.p12: \n');
  });

  it('treats the end of input at the prompt as an interruption', async () => {
    const fake = fakeIo({ tty: { stdin: true, stderr: true } });
    await expect(promptSecret(fake.io, 'Password: ')).rejects.toBeInstanceOf(InterruptedError);
  });

  it('needs --password-file or --password-stdin when stdin is not a terminal', async () => {
    const fake = fakeIo();
    await expect(resolvePassword({}, fake.io, 'client.p12', ['p12', 'inspect'])).rejects.toThrow(
      new UsageError(
        'no password for client.p12: pass --password-file <path> or --password-stdin (stdin is not a terminal)',
        ['p12', 'inspect'],
      ),
    );
    const piped = fakeIo({ stdin: 'from-stdin\n' });
    expect(await resolvePassword({ passwordStdin: true }, piped.io, 'client.p12', [])).toBe('from-stdin');
  });
});

describe('confirm', () => {
  it('is yes only for y or yes', async () => {
    for (const [typed, expected] of [
      ['y\n', true],
      ['YES\n', true],
      ['n\n', false],
      ['\n', false],
      ['', false],
    ] as const) {
      const fake = fakeIo({ stdin: typed });
      expect(await confirm(fake.io, 'Sure? [y/N] ')).toBe(expected);
      expect(fake.stderr()).toBe('Sure? [y/N] ');
    }
  });
});
