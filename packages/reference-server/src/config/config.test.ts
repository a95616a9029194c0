import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const validKey = Buffer.alloc(32, 7).toString('base64');

function problemsOf(env: Record<string, string>, configFile?: string): string[] {
  try {
    loadConfig({ env, cwd: '/srv', ...(configFile ? { configFile } : {}) });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mtls-config-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('applies the documented defaults', () => {
    const config = loadConfig({ env: {}, cwd: '/srv' });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: '/srv/data',
      masterKey: undefined,
      vault: undefined,
      egressAllow: [],
      rateLimitRps: 10,
      logLevel: 'info',
      accessLog: true,
      bodyLimitBytes: 10 * 1024 * 1024,
      upstreamTimeouts: { connectMs: 10_000, totalMs: 60_000 },
      trustProxy: false,
      production: false,
      jwtIssuer: undefined,
      jwtAudience: undefined,
      jwtMaxLifetimeSeconds: 3600,
    });
    expect(config.multipart.fileSizeBytes).toBe(1024 * 1024);
  });

  it.each([
    ['MTLS_JWT_SECRET', 'x'.repeat(32)],
    ['MTLS_JWKS_URL', 'https://idp.example.com/jwks.json'],
  ])('requires MTLS_JWT_ISSUER and MTLS_JWT_AUDIENCE when %s is set', (key, value) => {
    expect(problemsOf({ [key]: value })).toEqual([
      expect.stringMatching(/^MTLS_JWT_ISSUER must be set/),
      expect.stringMatching(/^MTLS_JWT_AUDIENCE must be set/),
    ]);
    expect(problemsOf({ [key]: value, MTLS_JWT_ISSUER: 'https://idp.example.com/' })).toEqual([
      expect.stringMatching(/^MTLS_JWT_AUDIENCE must be set/),
    ]);
    expect(problemsOf({ MTLS_JWT_MAX_LIFETIME_SECONDS: '0' })).toEqual([
      expect.stringContaining('MTLS_JWT_MAX_LIFETIME_SECONDS'),
    ]);
  });

  it('refuses an egress allowlist host without a port, naming the entry', () => {
    const problems = problemsOf({
      MTLS_EGRESS_ALLOW: 'partner.example, 10.0.0.0/8, *.corp.example, ok.example:443',
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/MTLS_EGRESS_ALLOW entry "partner\.example" names a host without a port/);
    expect(problems[1]).toMatch(/"\*\.corp\.example"/);
    expect(
      loadConfig({ env: { MTLS_EGRESS_ALLOW: '127.0.0.1, [::1]:8443, 169.254.169.254, fd00::/8' } })
        .egressAllow,
    ).toHaveLength(4);
  });

  it('sizes the PKCS#12 worker pool: MTLS_P12_WORKERS (default min(2, CPUs)) and MTLS_P12_TIMEOUT_MS', () => {
    expect(loadConfig({ env: {} }).p12Workers).toEqual({
      threads: Math.min(2, availableParallelism()),
      timeoutMs: 5000,
    });
    expect(loadConfig({ env: { MTLS_P12_WORKERS: '4', MTLS_P12_TIMEOUT_MS: '2500' } }).p12Workers).toEqual({
      threads: 4,
      timeoutMs: 2500,
    });
    expect(problemsOf({ MTLS_P12_WORKERS: '0', MTLS_P12_TIMEOUT_MS: 'soon' })).toEqual([
      'MTLS_P12_WORKERS must be an integer from 1 to 64, got "0".',
      'MTLS_P12_TIMEOUT_MS must be a positive number of milliseconds (at most 600000), got "soon".',
    ]);
    expect(problemsOf({ MTLS_P12_WORKERS: '65' })).toEqual([expect.stringContaining('MTLS_P12_WORKERS')]);
  });

  it('reads the request timeouts and the operator listener (MTLS_OPS_PORT=off turns it off)', () => {
    expect(loadConfig({ env: {}, cwd: '/srv' })).toMatchObject({
      requestTimeouts: { headersMs: 30_000, bodyStartMs: 20_000, bodyMinBytesPerSecond: 500 },
      ops: { port: 9464, host: '127.0.0.1' },
    });
    const config = loadConfig({
      env: {
        MTLS_HEADERS_TIMEOUT_MS: '5000',
        MTLS_BODY_TIMEOUT_MS: '1000',
        MTLS_BODY_MIN_RATE: '2048',
        MTLS_OPS_PORT: '0',
        MTLS_OPS_HOST: '10.0.0.5',
      },
      cwd: '/srv',
    });
    expect(config.requestTimeouts).toEqual({
      headersMs: 5000,
      bodyStartMs: 1000,
      bodyMinBytesPerSecond: 2048,
    });
    expect(config.ops).toEqual({ port: 0, host: '10.0.0.5' });
    expect(loadConfig({ env: { MTLS_OPS_PORT: 'off' }, cwd: '/srv' }).ops).toBeUndefined();
    expect(problemsOf({ MTLS_OPS_PORT: 'none', MTLS_BODY_MIN_RATE: '0' })).toEqual([
      'MTLS_BODY_MIN_RATE must be a positive number of bytes per second, got "0".',
      'MTLS_OPS_PORT must be an integer from 0 to 65535, or off, got "none".',
    ]);
  });

  it('reads MTLS_ACCESS_LOG: on or off, nothing else', () => {
    expect(loadConfig({ env: { MTLS_ACCESS_LOG: 'off' }, cwd: '/srv' }).accessLog).toBe(false);
    expect(problemsOf({ MTLS_ACCESS_LOG: 'yes' })).toEqual(['MTLS_ACCESS_LOG must be on or off, got "yes".']);
  });

  it('reads MTLS_SHUTDOWN_TIMEOUT_MS (default 30 s), the drain bound of serve', () => {
    expect(loadConfig({ env: {}, cwd: '/srv' }).shutdownTimeoutMs).toBe(30_000);
    expect(loadConfig({ env: { MTLS_SHUTDOWN_TIMEOUT_MS: '1500' }, cwd: '/srv' }).shutdownTimeoutMs).toBe(
      1500,
    );
    expect(problemsOf({ MTLS_SHUTDOWN_TIMEOUT_MS: '0' })).toEqual([
      'MTLS_SHUTDOWN_TIMEOUT_MS must be a positive number of milliseconds, got "0".',
    ]);
    expect(problemsOf({ MTLS_SHUTDOWN_TIMEOUT_MS: '30s' })).toEqual([
      expect.stringContaining('MTLS_SHUTDOWN_TIMEOUT_MS'),
    ]);
  });

  it('reads every variable of the environment', () => {
    const config = loadConfig({
      cwd: '/srv',
      env: {
        PORT: '0',
        HOST: '0.0.0.0',
        DATABASE_URL: 'postgres://u:p@db:5432/mtls',
        MTLS_DATA_DIR: '/var/lib/mtls',
        MTLS_MASTER_KEY: validKey,
        VAULT_ADDR: 'https://vault:8200',
        VAULT_TOKEN: 'hvs.x',
        VAULT_MOUNT: 'kv',
        VAULT_NAMESPACE: 'team',
        MTLS_EGRESS_ALLOW: 'internal.example.com:443, 10.0.0.0/8 ,api.local:8443',
        MTLS_UPSTREAM_CA_FILE: 'ca.pem',
        MTLS_RATE_LIMIT_RPS: '0',
        MTLS_JWT_SECRET: 'x'.repeat(32),
        MTLS_JWKS_URL: 'file:/etc/jwks.json',
        MTLS_JWT_ISSUER: 'https://idp.example.com/',
        MTLS_JWT_AUDIENCE: 'mtls-gateway',
        MTLS_JWT_MAX_LIFETIME_SECONDS: '600',
        LOG_LEVEL: 'DEBUG',
        MTLS_ACCESS_LOG: 'OFF',
        MTLS_BODY_LIMIT: '2048',
        MTLS_TRUST_PROXY: '10.0.0.0/8,192.168.1.1',
        MTLS_CONSOLE_DIR: '/srv/console',
        NODE_ENV: 'production',
      },
    });
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      databaseUrl: 'postgres://u:p@db:5432/mtls',
      dataDir: '/var/lib/mtls',
      masterKey: validKey,
      vault: { address: 'https://vault:8200', token: 'hvs.x', mount: 'kv', namespace: 'team' },
      egressAllow: ['internal.example.com:443', '10.0.0.0/8', 'api.local:8443'],
      upstreamCaFile: '/srv/ca.pem',
      consoleDir: '/srv/console',
      rateLimitRps: 0,
      jwksUrl: 'file:/etc/jwks.json',
      jwtIssuer: 'https://idp.example.com/',
      jwtAudience: 'mtls-gateway',
      jwtMaxLifetimeSeconds: 600,
      logLevel: 'debug',
      accessLog: false,
      bodyLimitBytes: 2048,
      trustProxy: ['10.0.0.0/8', '192.168.1.1'],
      production: true,
    });
    expect(config.multipart.fieldSizeBytes).toBe(2048);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
  ])('reads MTLS_TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig({ env: { MTLS_TRUST_PROXY: value } }).trustProxy).toEqual(expected);
  });

  it('reports every problem at once, naming each variable', () => {
    const problems = problemsOf({
      MTLS_RATE_LIMIT_RPS: 'ten',
      PORT: '70000',
      LOG_LEVEL: 'loud',
      VAULT_TOKEN: 't',
      MTLS_JWKS_URL: 'ftp://keys',
      MTLS_JWT_ISSUER: 'https://idp.example.com/',
      MTLS_JWT_AUDIENCE: 'mtls-gateway',
      MTLS_TRUST_PROXY: 'sometimes',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'MTLS_RATE_LIMIT_RPS must be a non-negative integer, got "ten".',
        'PORT must be an integer from 0 to 65535, got "70000".',
        expect.stringContaining('LOG_LEVEL must be one of'),
        'VAULT_ADDR must be set when VAULT_TOKEN, VAULT_MOUNT or VAULT_NAMESPACE is set.',
        expect.stringContaining('MTLS_JWKS_URL'),
        expect.stringContaining('MTLS_TRUST_PROXY'),
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('never echoes secret values', () => {
    const secrets = {
      MTLS_MASTER_KEY: 'not-a-key-but-secret-1',
      MTLS_JWT_SECRET: 'short-secret-2',
      MTLS_JWT_ISSUER: 'https://idp.example.com/',
      MTLS_JWT_AUDIENCE: 'mtls-gateway',
      DATABASE_URL: 'mysql://root:secret-3@db',
      VAULT_ADDR: 'https://vault',
    };
    const problems = problemsOf(secrets);
    expect(problems).toHaveLength(4);
    const text = problems.join('\n');
    for (const value of ['not-a-key-but-secret-1', 'short-secret-2', 'secret-3'])
      expect(text).not.toContain(value);
    expect(text).toContain('MTLS_MASTER_KEY must be 32 bytes');
    expect(text).toContain('MTLS_JWT_SECRET must be at least 32 bytes');
    expect(text).toContain('VAULT_TOKEN must be set');
  });

  it('reads a YAML or JSON config file with the same keys; the environment wins', async () => {
    const yamlFile = path.join(dir, 'gateway.yaml');
    await writeFile(
      yamlFile,
      'PORT: 9000\nMTLS_RATE_LIMIT_RPS: 3\nMTLS_EGRESS_ALLOW: [a.example:443, b.example:8443]\n',
    );
    const fromFile = loadConfig({ env: { MTLS_RATE_LIMIT_RPS: '7' }, configFile: yamlFile });
    expect(fromFile).toMatchObject({
      port: 9000,
      rateLimitRps: 7,
      egressAllow: ['a.example:443', 'b.example:8443'],
    });
    expect(fromFile.configFile).toBe(yamlFile);

    const jsonFile = path.join(dir, 'gateway.json');
    await writeFile(jsonFile, JSON.stringify({ HOST: '::1', MTLS_BODY_LIMIT: 100 }));
    expect(loadConfig({ env: { MTLS_CONFIG_FILE: jsonFile } })).toMatchObject({
      host: '::1',
      bodyLimitBytes: 100,
    });
  });

  it('refuses unknown keys, non-mappings and unreadable files', async () => {
    const typo = path.join(dir, 'typo.yaml');
    await writeFile(typo, 'MTLS_RATE_LIMT_RPS: 3\n');
    expect(problemsOf({}, typo)[0]).toContain('unknown key MTLS_RATE_LIMT_RPS');
    const list = path.join(dir, 'list.yaml');
    await writeFile(list, '- a\n- b\n');
    expect(problemsOf({}, list)[0]).toContain('must hold a mapping');
    expect(problemsOf({}, path.join(dir, 'missing.yaml'))[0]).toContain('cannot be read (ENOENT)');
    const broken = path.join(dir, 'broken.json');
    await writeFile(broken, '{"PORT": ');
    expect(problemsOf({}, broken)[0]).toContain('is not valid JSON or YAML');
  });
});
