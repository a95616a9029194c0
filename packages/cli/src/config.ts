/**
 * Where the gateway URL, the account and the credentials come from. Each setting is taken from the first
 * source that has it: command-line flags, then the environment, then a profile of the profile file.
 * Credentials are taken as a whole from one source (a token, or an OAuth 1.0a key and secret), never mixed.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.js';
import type { CliIo } from './io.js';

/** The settings the global flags carry. */
export interface ConfigFlags {
  gatewayUrl?: string | undefined;
  account?: string | undefined;
  token?: string | undefined;
  profile?: string | undefined;
}

/**
 * One profile of the profile file. Any field may be left out and come from flags or the environment.
 *
 * @example
 * ```ts
 * const profile: Profile = { gatewayUrl: 'https://mtls-gateway.example.com', account: 'le1606809', token: '…' };
 * ```
 */
export interface Profile {
  gatewayUrl?: string;
  account?: string;
  /** A Bearer token. */
  token?: string;
  /** OAuth 1.0a consumer key (with `consumerSecret`). */
  consumerKey?: string;
  consumerSecret?: string;
}

/**
 * The profile file: named profiles and which one applies when neither `--profile` nor `MTLS_PROFILE` says.
 *
 * @example
 * ```json
 * { "defaultProfile": "dev", "profiles": { "dev": { "gatewayUrl": "http://127.0.0.1:8080", "account": "le1" } } }
 * ```
 */
export interface ProfileFile {
  defaultProfile?: string;
  profiles: Record<string, Profile>;
}

/** How the CLI authenticates to the gateway (the values are secrets: never print them). */
export type ResolvedAuth =
  | { kind: 'bearer'; token: string; source: string }
  | { kind: 'oauth1'; consumerKey: string; consumerSecret: string; source: string };

/**
 * The settings of a call to the gateway, with where each came from (for `--verbose`).
 *
 * @example
 * ```ts
 * const config = resolveConfig(flags, io);
 * console.error(`gateway ${config.gatewayUrl} (from ${config.sources.gatewayUrl})`);
 * ```
 */
export interface ResolvedConfig {
  gatewayUrl: string;
  account: string;
  auth: ResolvedAuth;
  /** The profile used, if any. */
  profile: { name: string; file: string } | undefined;
  sources: { gatewayUrl: string; account: string };
}

const PROFILE_FIELDS: ReadonlySet<string> = new Set<keyof Profile>([
  'gatewayUrl',
  'account',
  'token',
  'consumerKey',
  'consumerSecret',
]);

/**
 * The profile file's path: `MTLS_CONFIG`, else `$XDG_CONFIG_HOME/mtls/config.json`, else
 * `~/.config/mtls/config.json`.
 *
 * @example
 * ```ts
 * profileFilePath({ MTLS_CONFIG: '/etc/mtls.json' }, '/home/me'); // '/etc/mtls.json'
 * ```
 */
export function profileFilePath(env: CliIo['env'], homeDir: string | undefined): string | undefined {
  if (env.MTLS_CONFIG) return env.MTLS_CONFIG;
  const configHome = env.XDG_CONFIG_HOME || (homeDir ? path.join(homeDir, '.config') : undefined);
  return configHome ? path.join(configHome, 'mtls', 'config.json') : undefined;
}

/**
 * Reads and checks the profile file. A missing file is no error unless it was named (`MTLS_CONFIG`). A
 * file holding a token or consumer secret must not be readable by group or others (POSIX only).
 *
 * @throws {ConfigError} unreadable, not JSON, wrong shape, or secrets in a file others can read.
 *
 * @example
 * ```ts
 * const file = readProfileFile('/home/me/.config/mtls/config.json', { required: false });
 * ```
 */
export function readProfileFile(file: string, options: { required: boolean }): ProfileFile | undefined {
  let text: string;
  let mode: number;
  try {
    mode = statSync(file).mode;
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' && !options.required) return undefined;
    throw new ConfigError(
      `cannot read the profile file ${file} (${typeof code === 'string' ? code : 'error'})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's message quotes the file's text, which may hold a secret: name the file only.
    throw new ConfigError(`the profile file ${file} is not valid JSON`);
  }
  const profileFile = checkProfileFile(parsed, file);
  const holdsSecrets = Object.values(profileFile.profiles).some(
    (profile) => profile.token !== undefined || profile.consumerSecret !== undefined,
  );
  if (holdsSecrets && process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new ConfigError(
      `the profile file ${file} holds credentials and other users can access it (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${file}`,
    );
  }
  return profileFile;
}

function checkProfileFile(value: unknown, file: string): ProfileFile {
  const fail = (what: string): never => {
    throw new ConfigError(`the profile file ${file}: ${what}`);
  };
  if (!isRecord(value)) return fail('expected an object { "profiles": { "<name>": { … } } }');
  for (const key of Object.keys(value)) {
    if (key !== 'profiles' && key !== 'defaultProfile') fail(`unknown field "${key}"`);
  }
  if (value.defaultProfile !== undefined && typeof value.defaultProfile !== 'string') {
    fail('"defaultProfile" must be a string');
  }
  const profiles = value.profiles ?? {};
  if (!isRecord(profiles)) return fail('"profiles" must be an object of named profiles');
  for (const [name, profile] of Object.entries(profiles)) {
    if (!isRecord(profile)) return fail(`profile "${name}" must be an object`);
    for (const [field, fieldValue] of Object.entries(profile)) {
      if (!PROFILE_FIELDS.has(field)) {
        fail(`profile "${name}" has an unknown field "${field}" (known: ${[...PROFILE_FIELDS].join(', ')})`);
      }
      if (typeof fieldValue !== 'string') fail(`profile "${name}": "${field}" must be a string`);
    }
  }
  return {
    ...(typeof value.defaultProfile === 'string' ? { defaultProfile: value.defaultProfile } : {}),
    profiles: profiles as Record<string, Profile>,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The profile that applies: `--profile`, else `MTLS_PROFILE`, else the file's `defaultProfile`, else
 * `default` when the file has one. Naming a profile that does not exist is an error.
 *
 * @throws {ConfigError} the named profile (or the named file) does not exist.
 *
 * @example
 * ```ts
 * const selected = selectProfile({ profile: 'prod' }, io);
 * ```
 */
export function selectProfile(
  flags: ConfigFlags,
  io: Pick<CliIo, 'env' | 'homeDir'>,
): { name: string; file: string; profile: Profile } | undefined {
  const file = profileFilePath(io.env, io.homeDir);
  const named = flags.profile ?? (io.env.MTLS_PROFILE || undefined);
  if (!file) {
    if (named) throw new ConfigError(`no profile file to take profile "${named}" from: set MTLS_CONFIG`);
    return undefined;
  }
  const contents = readProfileFile(file, { required: Boolean(io.env.MTLS_CONFIG) || named !== undefined });
  if (!contents) return undefined;
  const name = named ?? contents.defaultProfile ?? 'default';
  const profile = contents.profiles[name];
  if (!profile) {
    if (named === undefined && contents.defaultProfile === undefined) return undefined;
    const known = Object.keys(contents.profiles);
    throw new ConfigError(
      `no profile "${name}" in ${file}${known.length > 0 ? ` (profiles: ${known.join(', ')})` : ''}`,
    );
  }
  return { name, file, profile };
}

/**
 * Resolves the gateway URL, the account and the credentials from flags, environment and profile, in that
 * order of precedence.
 *
 * @throws {ConfigError} a setting is missing or unusable (the message says where to set it).
 *
 * @example
 * ```ts
 * const config = resolveConfig({ gatewayUrl: 'http://127.0.0.1:8080' }, io);
 * ```
 */
export function resolveConfig(flags: ConfigFlags, io: Pick<CliIo, 'env' | 'homeDir'>): ResolvedConfig {
  const { env } = io;
  const selected = selectProfile(flags, io);
  const profile = selected?.profile ?? {};
  const profileSource = selected ? `profile "${selected.name}" of ${selected.file}` : '';

  const pick = (
    flag: string | undefined,
    flagName: string,
    envName: string,
    fromProfile: string | undefined,
  ) => {
    if (flag !== undefined && flag !== '') return { value: flag, source: flagName };
    const fromEnv = env[envName];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: envName };
    if (fromProfile !== undefined && fromProfile !== '') return { value: fromProfile, source: profileSource };
    return undefined;
  };

  const gatewayUrl = pick(flags.gatewayUrl, '--gateway-url', 'MTLS_GATEWAY_URL', profile.gatewayUrl);
  if (!gatewayUrl) {
    throw new ConfigError(
      'no gateway URL: pass --gateway-url <url>, set MTLS_GATEWAY_URL, or add "gatewayUrl" to a profile',
    );
  }
  checkGatewayUrl(gatewayUrl.value, gatewayUrl.source);
  const account = pick(flags.account, '--account', 'MTLS_ACCOUNT', profile.account);
  if (!account) {
    throw new ConfigError('no account: pass --account <id>, set MTLS_ACCOUNT, or add "account" to a profile');
  }
  const auth =
    authFrom(
      { token: flags.token, consumerKey: undefined, consumerSecret: undefined },
      { token: '--token', consumerKey: '', consumerSecret: '' },
    ) ??
    authFrom(
      { token: env.MTLS_TOKEN, consumerKey: env.MTLS_CONSUMER_KEY, consumerSecret: env.MTLS_CONSUMER_SECRET },
      { token: 'MTLS_TOKEN', consumerKey: 'MTLS_CONSUMER_KEY', consumerSecret: 'MTLS_CONSUMER_SECRET' },
    ) ??
    authFrom(profile, {
      token: `"token" of ${profileSource}`,
      consumerKey: `"consumerKey" of ${profileSource}`,
      consumerSecret: `"consumerSecret" of ${profileSource}`,
    });
  if (!auth) {
    throw new ConfigError(
      'no credentials: pass --token, set MTLS_TOKEN (or MTLS_CONSUMER_KEY and MTLS_CONSUMER_SECRET), or add them to a profile',
    );
  }
  return {
    gatewayUrl: gatewayUrl.value.replace(/\/+$/, ''),
    account: account.value,
    auth,
    profile: selected ? { name: selected.name, file: selected.file } : undefined,
    sources: { gatewayUrl: gatewayUrl.source, account: account.source },
  };
}

/** The credentials of one source, or `undefined` when it has none; both kinds at once is an error. */
function authFrom(
  values: {
    token?: string | undefined;
    consumerKey?: string | undefined;
    consumerSecret?: string | undefined;
  },
  names: { token: string; consumerKey: string; consumerSecret: string },
): ResolvedAuth | undefined {
  const token = values.token || undefined;
  const consumerKey = values.consumerKey || undefined;
  const consumerSecret = values.consumerSecret || undefined;
  if (token && (consumerKey || consumerSecret)) {
    throw new ConfigError(
      `both ${names.token} and ${names.consumerKey}/${names.consumerSecret} are set: keep one`,
    );
  }
  if (token) return { kind: 'bearer', token, source: names.token };
  if (consumerKey && consumerSecret) {
    return {
      kind: 'oauth1',
      consumerKey,
      consumerSecret,
      source: `${names.consumerKey} + ${names.consumerSecret}`,
    };
  }
  if (consumerKey) throw new ConfigError(`${names.consumerKey} is set but ${names.consumerSecret} is not`);
  if (consumerSecret) throw new ConfigError(`${names.consumerSecret} is set but ${names.consumerKey} is not`);
  return undefined;
}

function checkGatewayUrl(value: string, source: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // The value is not quoted back: a URL with user:password@ would print a credential.
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError(
      `the gateway URL (${source}) must be an absolute http(s) URL, e.g. https://mtls-gateway.example.com`,
    );
  }
  if (url.username || url.password) {
    throw new ConfigError(`the gateway URL (${source}) must not hold credentials: use --token or MTLS_TOKEN`);
  }
}
