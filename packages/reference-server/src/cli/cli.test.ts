import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayRoutePlugin } from '../http/context.js';
import { registerSpecRoute } from '../http/spec-routes.js';
import { oauthHeader } from '../http/testing/http-client.js';
import { dropSchema, TEST_DATABASE_URL } from '../storage/testing/test-databases.js';
import { type CliIo, runCli } from './cli.js';
import { parseDuration } from './duration.js';

class Sink {
  text = '';
  write(chunk: string | Uint8Array): boolean {
    this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }
}

/** A stand-in for the certificates module: one secured operation. */
const listCertificatesStub: GatewayRoutePlugin = (app) => {
  registerSpecRoute(app, 'listCertificates', async (request) => ({ caller: request.principal?.subject }));
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function createSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await client.end();
  }
}

const engines = [
  { kind: 'pglite', databaseUrl: () => undefined as string | undefined },
  {
    kind: 'postgres',
    // The CLI has no schema option; the connection's search_path isolates this test file.
    databaseUrl: (schema: string) =>
      `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
  },
];

describe.each(engines)('mtls-gateway CLI on $kind', ({ kind, databaseUrl }) => {
  let dataDir: string;
  const schema = `cli_${randomBytes(6).toString('hex')}`;
  let env: Record<string, string>;

  const run = async (
    argv: string[],
    extraEnv: Record<string, string> = {},
    io: Partial<CliIo> = {},
  ): Promise<Run> => {
    const stdout = new Sink();
    const stderr = new Sink();
    const code = await runCli(argv, { stdout, stderr, env: { ...env, ...extraEnv }, ...io });
    return { code, stdout: stdout.text, stderr: stderr.text };
  };

  /** Runs `serve` until `work` is done, then stops it. */
  const withServer = async <T>(
    work: (url: string, stderr: Sink) => Promise<T>,
    extraEnv: Record<string, string> = {},
  ) => {
    const controller = new AbortController();
    const stderr = new Sink();
    let resolveUrl: (url: string) => void = () => undefined;
    const listening = new Promise<string>((resolve) => {
      resolveUrl = resolve;
    });
    const exit = runCli(['serve'], {
      stdout: new Sink(),
      stderr,
      env: { ...env, PORT: '0', MTLS_OPS_PORT: '0', LOG_LEVEL: 'warn', ...extraEnv },
      signal: controller.signal,
      onListening: resolveUrl,
      routes: [listCertificatesStub],
    });
    const url = await Promise.race([
      listening,
      exit.then((code) => {
        throw new Error(`serve exited with ${code}: ${stderr.text}`);
      }),
    ]);
    try {
      return await work(url, stderr);
    } finally {
      controller.abort();
      expect(await exit).toBe(0);
    }
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'mtls-cli-'));
    const url = databaseUrl(schema);
    if (url) await createSchema(schema);
    env = { MTLS_DATA_DIR: dataDir, MTLS_RATE_LIMIT_RPS: '0', ...(url ? { DATABASE_URL: url } : {}) };
  });
  afterAll(async () => {
    if (kind === 'postgres') await dropSchema(schema);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints help on stdout and refuses unknown commands and options with exit code 2', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('credentials add');
    expect((await run(['frobnicate'])).code).toBe(2);
    const badOption = await run(['migrate', '--account', 'x']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain('--account');
    expect((await run(['credentials'])).code).toBe(2);
  });

  it('reports an invalid configuration naming the variable', async () => {
    const result = await run(['migrate'], { MTLS_RATE_LIMIT_RPS: 'ten' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('MTLS_RATE_LIMIT_RPS must be a non-negative integer, got "ten"');
    expect(result.stdout).toBe('');
  });

  it('migrates, printing nothing on stdout', async () => {
    const result = await run(['migrate']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/Applied migrations 1|up to date/);
  });

  it('serve prints a development admin token once, which works with curl-like requests', async () => {
    const token = await withServer(async (url, stderr) => {
      const printed = /Bearer (mtls_[A-Za-z0-9_-]+)/.exec(stderr.text)?.[1];
      expect(printed).toBeDefined();
      const response = await fetch(`${url}/readyz`, { headers: { authorization: `Bearer ${printed}` } });
      expect(response.status).toBe(200);
      const secured = await fetch(`${url}/mtls/account/le1606809/certificates`, {
        headers: { authorization: `Bearer ${printed}` },
      });
      expect(secured.status).toBe(200);
      return printed;
    });
    await withServer(async (_url, stderr) => {
      expect(stderr.text).not.toContain('Development admin token');
      expect(stderr.text).not.toContain(token);
    });
    const listed = await run(['tokens', 'list']);
    expect(listed.stdout).toContain('development admin token');
    expect(listed.stdout).not.toContain(token);
  });

  it('credentials add prints only the key and secret, which sign requests the server accepts', async () => {
    const added = await run([
      'credentials',
      'add',
      '--account',
      'le1',
      '--permissions',
      'MTLS_READ_INTERNAL',
      '--description',
      'ci',
    ]);
    expect(added.code).toBe(0);
    const created = JSON.parse(added.stdout) as { consumerKey: string; consumerSecret: string };
    expect(Object.keys(created).sort()).toEqual(['consumerKey', 'consumerSecret']);
    expect(added.stdout.trim().split('\n')).toHaveLength(1);

    const listed = await run(['credentials', 'list']);
    expect(listed.stdout).toContain(created.consumerKey);
    expect(listed.stdout).not.toContain(created.consumerSecret);
    expect(JSON.parse(listed.stdout)).toContainEqual(
      expect.objectContaining({
        consumerKey: created.consumerKey,
        accounts: ['le1'],
        description: 'ci',
        revokedAt: null,
      }),
    );

    const signedList = async (url: string) => {
      const target = `${url}/mtls/account/le1/certificates`;
      return fetch(target, { headers: { authorization: await oauthHeader(created, target) } });
    };
    await withServer(async (url) => {
      const response = await signedList(url);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ caller: created.consumerKey });
    });

    expect((await run(['credentials', 'revoke', created.consumerKey])).code).toBe(0);
    const again = await run(['credentials', 'revoke', created.consumerKey]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('No active OAuth consumer');
    await withServer(async (url) => {
      expect((await signedList(url)).status).toBe(401);
    });
  });

  it('refuses unknown permissions and malformed accounts', async () => {
    const permission = await run(['credentials', 'add', '--account', 'le1', '--permissions', 'MTLS_ROOT']);
    expect(permission.code).toBe(1);
    expect(permission.stderr).toContain('Unknown permission "MTLS_ROOT"');
    const account = await run([
      'tokens',
      'create',
      '--account',
      'le 1',
      '--permissions',
      'MTLS_READ_INTERNAL',
    ]);
    expect(account.code).toBe(1);
    expect(account.stderr).toContain('"le 1" is not an account id');
    const missing = await run(['tokens', 'create', '--permissions', 'MTLS_READ_INTERNAL']);
    expect(missing.code).toBe(1);
  });

  it('tokens create prints only the token; expiry and revocation are honoured', async () => {
    const created = await run([
      'tokens',
      'create',
      '--account',
      'le1,le2',
      '--account',
      'le3',
      '--permissions',
      'MTLS_READ_INTERNAL,MTLS_WRITE_INTERNAL',
      '--expires-in',
      '30d',
    ]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^mtls_[A-Za-z0-9_-]{43}\n$/);
    expect(created.stderr).toContain('expiring');
    const token = created.stdout.trim();

    const bad = await run([
      'tokens',
      'create',
      '--account',
      '*',
      '--permissions',
      'MTLS_READ_INTERNAL',
      '--expires-in',
      'soon',
    ]);
    expect(bad.code).toBe(2);

    const listed = JSON.parse((await run(['tokens', 'list'])).stdout) as Array<{
      id: number;
      accounts: string[];
    }>;
    const entry = listed.find((item) => item.accounts.join() === 'le1,le2,le3');
    expect(entry).toBeDefined();
    expect(JSON.stringify(listed)).not.toContain(token);
    expect((await run(['tokens', 'revoke', String(entry?.id)])).code).toBe(0);
    expect((await run(['tokens', 'revoke', String(entry?.id)])).code).toBe(1);
    expect((await run(['tokens', 'revoke', 'abc'])).code).toBe(1);
  });

  it('master-key rotate replaces the key file and keeps consumer secrets usable', async () => {
    const created = JSON.parse(
      (await run(['credentials', 'add', '--account', '*', '--permissions', 'MTLS_READ_INTERNAL'])).stdout,
    ) as { consumerKey: string; consumerSecret: string };
    const keyFile = path.join(dataDir, 'master.key');
    const before = await readFile(keyFile, 'utf8');

    const rotated = await run(['master-key', 'rotate']);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/^[0-9a-f]{16}\n$/);
    const after = await readFile(keyFile, 'utf8');
    expect(after).not.toBe(before);
    expect(((await stat(keyFile)).mode & 0o777).toString(8)).toBe('600');
    expect(rotated.stderr).toContain('.old');

    // A server started with the new key file still verifies the credential's signatures.
    await withServer(async (url) => {
      const target = `${url}/mtls/account/le9/certificates`;
      const response = await fetch(target, {
        headers: { authorization: await oauthHeader(created, target) },
      });
      expect(response.status).toBe(200);
    });
  });
});

describe('mtls-gateway CLI with MTLS_MASTER_KEY', () => {
  it('master-key rotate prints the new key, which then opens the consumer secrets', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'mtls-cli-key-'));
    const oldKey = randomBytes(32).toString('base64');
    const env = { MTLS_DATA_DIR: dataDir, MTLS_MASTER_KEY: oldKey };
    const run = async (argv: string[], overrides: Record<string, string> = {}) => {
      const stdout = new Sink();
      const stderr = new Sink();
      const code = await runCli(argv, { stdout, stderr, env: { ...env, ...overrides } });
      return { code, stdout: stdout.text, stderr: stderr.text };
    };
    try {
      const created = await run([
        'credentials',
        'add',
        '--account',
        '*',
        '--permissions',
        'MTLS_READ_INTERNAL',
      ]);
      expect(created.code).toBe(0);
      const rotated = await run(['master-key', 'rotate']);
      expect(rotated.code, rotated.stderr).toBe(0);
      const newKey = rotated.stdout.trim();
      expect(Buffer.from(newKey, 'base64')).toHaveLength(32);
      expect(newKey).not.toBe(oldKey);
      expect(rotated.stderr).toContain('Set MTLS_MASTER_KEY');
      // No key file is written when the key comes from the environment.
      await expect(stat(path.join(dataDir, 'master.key'))).rejects.toThrow();
      // Rotating again with the new key works (every secret decrypts with it); with the old key it fails.
      expect((await run(['master-key', 'rotate'], { MTLS_MASTER_KEY: newKey })).code).toBe(0);
      const withOldKey = await run(['master-key', 'rotate']);
      expect(withOldKey.code).toBe(1);
      expect(withOldKey.stderr).toContain('not configured');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('reads a YAML config file given with --config, the environment winning', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'mtls-cli-file-'));
    try {
      const file = path.join(dataDir, 'gateway.yaml');
      await writeFile(file, `MTLS_DATA_DIR: ${dataDir}\nMTLS_RATE_LIMIT_RPS: 5\nLOG_LEVEL: verbose\n`);
      const stderr = new Sink();
      const code = await runCli(['migrate', '--config', file], { stdout: new Sink(), stderr, env: {} });
      expect(code).toBe(1);
      expect(stderr.text).toContain('LOG_LEVEL must be one of');
      const fixed = await runCli(['migrate', '--config', file], {
        stdout: new Sink(),
        stderr: new Sink(),
        env: { LOG_LEVEL: 'warn' },
      });
      expect(fixed).toBe(0);
      await expect(stat(path.join(dataDir, 'pglite'))).resolves.toBeDefined();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('parseDuration', () => {
  it.each([
    ['30d', 30 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['90m', 90 * 60_000],
    ['3600s', 3_600_000],
    ['2w', 14 * 86_400_000],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '0d', '30', 'd', '1y', '-1d', '99999w'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
