import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileFilePath, resolveConfig } from './config.js';
import { ConfigError } from './errors.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mtls-cli-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function profileFile(contents: unknown, mode = 0o600): Promise<string> {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, typeof contents === 'string' ? contents : JSON.stringify(contents));
  await chmod(file, mode);
  return file;
}

const PROFILE = {
  defaultProfile: 'dev',
  profiles: {
    dev: { gatewayUrl: 'http://127.0.0.1:8001', account: 'profile-account', token: 'profile-token' },
    oauth: {
      gatewayUrl: 'http://127.0.0.1:8002',
      account: 'oauth-account',
      consumerKey: 'key',
      consumerSecret: 'secret',
    },
  },
};

describe('resolveConfig precedence: flags > environment > profile', () => {
  it('takes each setting from the first source that has it', async () => {
    const MTLS_CONFIG = await profileFile(PROFILE);
    const env = { MTLS_CONFIG, MTLS_ACCOUNT: 'env-account' };
    const config = resolveConfig({ token: 'flag-token' }, { env });
    expect(config).toMatchObject({
      gatewayUrl: 'http://127.0.0.1:8001',
      account: 'env-account',
      auth: { kind: 'bearer', token: 'flag-token', source: '--token' },
      profile: { name: 'dev', file: MTLS_CONFIG },
      sources: { gatewayUrl: `profile "dev" of ${MTLS_CONFIG}`, account: 'MTLS_ACCOUNT' },
    });

    const flagsWin = resolveConfig(
      { gatewayUrl: 'http://127.0.0.1:8003/', account: 'flag-account' },
      { env: { ...env, MTLS_GATEWAY_URL: 'http://127.0.0.1:8004', MTLS_TOKEN: 'env-token' } },
    );
    expect(flagsWin).toMatchObject({
      gatewayUrl: 'http://127.0.0.1:8003',
      account: 'flag-account',
      auth: { kind: 'bearer', token: 'env-token', source: 'MTLS_TOKEN' },
    });
  });

  it('takes credentials as a whole from one source: env OAuth beats a profile token', async () => {
    const MTLS_CONFIG = await profileFile(PROFILE);
    const config = resolveConfig(
      {},
      { env: { MTLS_CONFIG, MTLS_CONSUMER_KEY: 'k', MTLS_CONSUMER_SECRET: 's' } },
    );
    expect(config.auth).toEqual({
      kind: 'oauth1',
      consumerKey: 'k',
      consumerSecret: 's',
      source: 'MTLS_CONSUMER_KEY + MTLS_CONSUMER_SECRET',
    });
    expect(() => resolveConfig({}, { env: { MTLS_CONFIG, MTLS_CONSUMER_KEY: 'k' } })).toThrow(
      'MTLS_CONSUMER_KEY is set but MTLS_CONSUMER_SECRET is not',
    );
    expect(() =>
      resolveConfig(
        {},
        { env: { MTLS_CONFIG, MTLS_TOKEN: 't', MTLS_CONSUMER_KEY: 'k', MTLS_CONSUMER_SECRET: 's' } },
      ),
    ).toThrow('both MTLS_TOKEN and MTLS_CONSUMER_KEY/MTLS_CONSUMER_SECRET are set');
  });

  it('selects the profile by --profile, then MTLS_PROFILE, then defaultProfile', async () => {
    const MTLS_CONFIG = await profileFile(PROFILE);
    expect(resolveConfig({}, { env: { MTLS_CONFIG } }).account).toBe('profile-account');
    expect(resolveConfig({}, { env: { MTLS_CONFIG, MTLS_PROFILE: 'oauth' } }).auth.kind).toBe('oauth1');
    expect(resolveConfig({ profile: 'dev' }, { env: { MTLS_CONFIG, MTLS_PROFILE: 'oauth' } }).account).toBe(
      'profile-account',
    );
    expect(() => resolveConfig({ profile: 'prod' }, { env: { MTLS_CONFIG } })).toThrow(
      `no profile "prod" in ${MTLS_CONFIG} (profiles: dev, oauth)`,
    );
  });

  it('finds the file in XDG_CONFIG_HOME or ~/.config, and does without one unless it was named', async () => {
    expect(profileFilePath({}, '/home/me')).toBe('/home/me/.config/mtls/config.json');
    expect(profileFilePath({ XDG_CONFIG_HOME: '/xdg' }, '/home/me')).toBe('/xdg/mtls/config.json');
    const env = { MTLS_GATEWAY_URL: 'http://127.0.0.1:1', MTLS_ACCOUNT: 'a', MTLS_TOKEN: 't' };
    expect(resolveConfig({}, { env, homeDir: dir }).profile).toBeUndefined();
    expect(() => resolveConfig({}, { env: { ...env, MTLS_CONFIG: path.join(dir, 'missing.json') } })).toThrow(
      /cannot read the profile file .*missing\.json \(ENOENT\)/,
    );
    expect(() => resolveConfig({ profile: 'dev' }, { env, homeDir: dir })).toThrow(ConfigError);
  });

  it.skipIf(process.platform === 'win32')(
    'refuses a file with credentials that others can read',
    async () => {
      const MTLS_CONFIG = await profileFile(PROFILE, 0o644);
      expect(() => resolveConfig({}, { env: { MTLS_CONFIG } })).toThrow(
        `the profile file ${MTLS_CONFIG} holds credentials and other users can access it (mode 644); run: chmod 600 ${MTLS_CONFIG}`,
      );
      const withoutSecrets = await profileFile(
        { profiles: { default: { gatewayUrl: 'http://127.0.0.1:1', account: 'a' } } },
        0o644,
      );
      expect(resolveConfig({}, { env: { MTLS_CONFIG: withoutSecrets, MTLS_TOKEN: 't' } }).account).toBe('a');
    },
  );

  it('reports a broken file without quoting it (it may hold a secret)', async () => {
    const MTLS_CONFIG = await profileFile('{"profiles": {"dev": {"token": "leaked-secret-value" ');
    let message = '';
    try {
      resolveConfig({}, { env: { MTLS_CONFIG } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(`the profile file ${MTLS_CONFIG} is not valid JSON`);
    const typo = await profileFile({ profiles: { dev: { gatewayURL: 'x' } } });
    expect(() => resolveConfig({}, { env: { MTLS_CONFIG: typo } })).toThrow(
      'profile "dev" has an unknown field "gatewayURL"',
    );
  });

  it('says where to set what is missing, and refuses credentials in the URL without printing them', () => {
    expect(() => resolveConfig({}, { env: {} })).toThrow(/^no gateway URL: pass --gateway-url/);
    expect(() => resolveConfig({ gatewayUrl: 'http://127.0.0.1:1' }, { env: {} })).toThrow(/^no account/);
    expect(() => resolveConfig({ gatewayUrl: 'http://127.0.0.1:1', account: 'a' }, { env: {} })).toThrow(
      /^no credentials/,
    );
    expect(() =>
      resolveConfig({ gatewayUrl: 'http://user:hunter2@127.0.0.1:1', account: 'a', token: 't' }, { env: {} }),
    ).toThrow(/^the gateway URL \(--gateway-url\) must not hold credentials[^h]*$/);
    expect(() =>
      resolveConfig({ gatewayUrl: 'ftp://127.0.0.1', account: 'a', token: 't' }, { env: {} }),
    ).toThrow('must be an absolute http(s) URL');
  });
});
