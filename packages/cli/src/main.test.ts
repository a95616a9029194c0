import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningMockServer, startMockServer } from '@mtls-gateway/mock-server/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCA, toPkcs12 } from '../../../test/support/pki.js';
import { ExitCode } from './errors.js';
import { main } from './main.js';
import { type FakeIo, fakeIo } from './testing/fake-io.js';
import { cliVersion } from './version.js';

const TOKEN = 'unit-bearer-token-0a9f7c';
const PASSWORD = 'unit-p12-Password-3e1b';
const ESC = '\u001b[';

let dir: string;
let mock: RunningMockServer;
let p12File: string;
let passwordFile: string;
const runs: FakeIo[] = [];

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { MTLS_GATEWAY_URL: mock.url, MTLS_ACCOUNT: 'le-unit', MTLS_TOKEN: TOKEN, ...extra };
}

async function run(
  argv: string[],
  options: Parameters<typeof fakeIo>[0] = {},
): Promise<{ code: number; out: string; err: string; fake: FakeIo }> {
  const fake = fakeIo({ env: env(), ...options });
  runs.push(fake);
  const code = await main(argv, fake.io, { now: () => new Date() });
  return { code, out: fake.stdout(), err: fake.stderr(), fake };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mtls-cli-main-'));
  p12File = path.join(dir, 'client.p12');
  passwordFile = path.join(dir, 'client.pass');
  await writeFile(
    p12File,
    toPkcs12(createTestCA().issue({ commonName: 'unit-client', kind: 'client' }), PASSWORD),
  );
  await writeFile(passwordFile, `${PASSWORD}\n`);
  mock = await startMockServer({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await mock?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('help, version and usage errors', () => {
  it('prints the version of the package', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(cliVersion).toBe(version);
    const result = await run(['--version']);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(new RegExp(`^mtls ${version} \\(@mtls-gateway/sdk \\d+\\.\\d+\\.\\d+`));
  });

  it('has help for the program, each group and each command', async () => {
    expect((await run(['--help'])).out).toContain('Usage: mtls <command> [options]');
    expect((await run(['certs', '--help'])).out).toContain(
      'Usage: mtls certs <list|get|upload|replace|delete>',
    );
    for (const command of [
      ['certs', 'list'],
      ['certs', 'get'],
      ['certs', 'upload'],
      ['certs', 'replace'],
      ['certs', 'delete'],
      ['mappings', 'list'],
      ['mappings', 'add'],
      ['mappings', 'delete'],
      ['mappings', 'check'],
      ['p12', 'inspect'],
      ['p12', 'test'],
      ['forward'],
    ]) {
      const result = await run([...command, '-h']);
      expect(result.code, command.join(' ')).toBe(0);
      expect(result.out).toContain(`Usage: mtls ${command.join(' ')}`);
    }
  });

  it('exits 2 with a hint and the usage', async () => {
    expect(await run([])).toMatchObject({ code: ExitCode.Usage, out: '' });
    const unknown = await run(['crts', 'list']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "crts"; did you mean "certs"?');
    const extra = await run(['certs', 'get', '1', '2']);
    expect(extra.err).toContain('unexpected argument "2"');
    const notANumber = await run(['certs', 'get', 'abc']);
    expect(notANumber.err).toContain('<id> must be a number');
    const missingValue = await run(['certs', 'upload', p12File, '--name']);
    expect(missingValue.err).toContain("option '--name' needs a value");
    const booleanValue = await run(['certs', 'list', '--deleted=yes']);
    expect(booleanValue.err).toContain("option '--deleted' takes no value");
    const passwordFlag = await run(['certs', 'upload', p12File, '--name', 'x', `--password=${PASSWORD}`]);
    expect(passwordFlag.code).toBe(2);
    expect(passwordFlag.err).toContain('there is no --password option');
    const method = await run(['forward', 'FETCH', 'https://127.0.0.1:1/']);
    expect(method.err).toContain('unknown method "FETCH"');
    const authorization = await run([
      'forward',
      'GET',
      'https://127.0.0.1:1/',
      '-H',
      'Authorization: Bearer x',
    ]);
    expect(authorization.err).toContain('use --authorization');
  });

  it('reports a usage error as JSON on stderr with --json', async () => {
    const result = await run(['certs', 'list', '--bogus', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.err)).toEqual({
      error: {
        exitCode: 2,
        message: "unknown option '--bogus'",
        code: 'usage',
        usage: 'mtls certs list [--deleted] [--json]',
      },
    });
  });

  it('exits 2 without configuration, naming where to set it', async () => {
    const result = await run(['certs', 'list'], { env: {} });
    expect(result.code).toBe(2);
    expect(result.err).toContain('no gateway URL: pass --gateway-url <url>, set MTLS_GATEWAY_URL');
  });
});

describe('against the mock, in-process', () => {
  it('colours tables only on a terminal without NO_COLOR', async () => {
    const uploaded = await run([
      'certs',
      'upload',
      p12File,
      '--name',
      'Colours',
      '--password-file',
      passwordFile,
    ]);
    expect(uploaded.code).toBe(0);

    const tty = await run(['certs', 'list'], { tty: { stdout: true } });
    expect(tty.out).toContain(`${ESC}32mAvailable${ESC}39m`);
    const noColor = await run(['certs', 'list'], { tty: { stdout: true }, env: env({ NO_COLOR: '1' }) });
    expect(noColor.out).not.toContain(ESC);
    expect(noColor.out).toMatch(/^\s*ID {2}NAME/);
    const flag = await run(['certs', 'list', '--no-color'], { tty: { stdout: true } });
    expect(flag.out).not.toContain(ESC);
    const piped = await run(['certs', 'list']);
    expect(piped.out).not.toContain(ESC);
  });

  it('asks before deleting on a terminal', async () => {
    const uploaded = await run([
      'certs',
      'upload',
      p12File,
      '--name',
      'ToDelete',
      '--password-file',
      passwordFile,
      '--json',
    ]);
    const id = String(
      (JSON.parse(uploaded.out) as { successfulySavedCertificates: { id: number }[] })
        .successfulySavedCertificates[0]?.id,
    );
    const declined = await run(['certs', 'delete', id], { tty: { stdin: true, stderr: true }, stdin: 'n\n' });
    expect(declined.code).toBe(0);
    expect(declined.err).toContain(
      `Delete certificate ${id} "ToDelete"? Its mappings will be disabled. [y/N] `,
    );
    expect(declined.err).toContain('Nothing deleted.');
    const accepted = await run(['certs', 'delete', id], { tty: { stdin: true, stderr: true }, stdin: 'y\n' });
    expect(accepted.code).toBe(0);
    expect(accepted.out).toBe(`Deleted certificate ${id} (ToDelete).\n`);
  });

  it('prompts for a p12 password on a terminal, without echo', async () => {
    const result = await run(['p12', 'inspect', p12File, '--json'], {
      tty: { stdin: true, stderr: true },
      stdin: `${PASSWORD}\n`,
    });
    expect(result.code).toBe(0);
    expect(result.err).toBe(`Password for ${p12File}: \n`);
    expect(JSON.parse(result.out)).toMatchObject({
      subject: 'CN=unit-client',
      keyAlgorithm: 'RSA',
      keySize: 2048,
    });
  });

  it('prints requests with --verbose, never the token or the password', async () => {
    const result = await run([
      'certs',
      'upload',
      p12File,
      '--name',
      'Verbose',
      '--password-file',
      passwordFile,
      '--verbose',
    ]);
    expect(result.code).toBe(0);
    expect(result.err).toContain('auth Bearer token (MTLS_TOKEN)');
    expect(result.err).toMatch(
      /> POST http:\/\/127\.0\.0\.1:\d+\/mtls\/account\/le-unit\/certificates\/byFile/,
    );
    expect(result.err).toMatch(/< 201 \(\d+ ms/);

    const failing = await run(
      [
        'certs',
        'upload',
        p12File,
        '--name',
        'Verbose',
        '--password-stdin',
        '--verbose',
        '--token',
        `${TOKEN}-flag`,
      ],
      { stdin: PASSWORD, env: env({ MTLS_TOKEN: '' }) },
    );
    expect(failing.code).toBe(1);
    expect(failing.err).toContain('name_conflict');
    expect(failing.err).toContain('auth Bearer token (--token)');
  });

  it('exits 3 with a closed port, never printing a token given as a flag', async () => {
    const result = await run([
      'mappings',
      'list',
      '--gateway-url',
      'http://127.0.0.1:1',
      '--token',
      `${TOKEN}-closed`,
      '--verbose',
      '--timeout',
      '5',
    ]);
    expect(result.code).toBe(ExitCode.Transport);
    expect(result.err).toContain('could not be reached');
  });

  it('never printed a secret', () => {
    expect(runs.length).toBeGreaterThan(10);
    for (const fake of runs) {
      const printed = fake.stdout() + fake.stderr();
      expect(printed).not.toContain(TOKEN);
      expect(printed).not.toContain(PASSWORD);
    }
  });
});
