import { createHash, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import { InsecureMasterKeyFileError, InvalidMasterKeyError, MasterKeyMismatchError } from './errors.js';

/** Name of the generated key file inside the data directory. */
export const MASTER_KEY_FILE = 'master.key';
const KEY_BYTES = 32;
const base64Pattern = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * A 256-bit AES key of the embedded secret store. The key bytes sit in a `KeyObject` and are not
 * printed by `console.log`, `util.inspect` or `JSON.stringify` — only the key id is.
 *
 * @example
 * ```ts
 * const key = MasterKey.fromBase64(process.env.MTLS_MASTER_KEY ?? '');
 * key.id; // '3f2a…' (16 hex digits)
 * ```
 */
export class MasterKey {
  /** First 8 bytes of SHA-256 of the key, hex: stored with each blob so the right key can be found. */
  readonly id: string;
  readonly #key: KeyObject;

  private constructor(bytes: Buffer) {
    this.id = createHash('sha256').update(bytes).digest().subarray(0, 8).toString('hex');
    this.#key = createSecretKey(bytes);
    bytes.fill(0);
  }

  /**
   * Decodes a base64 key of exactly 32 bytes. `source` names where it came from in the error message
   * (the value itself never appears there).
   * @throws {InvalidMasterKeyError}
   */
  static fromBase64(text: string, source = 'MTLS_MASTER_KEY'): MasterKey {
    const trimmed = text.trim();
    const bytes =
      base64Pattern.test(trimmed) && trimmed.length % 4 === 0 ? Buffer.from(trimmed, 'base64') : null;
    if (!bytes || bytes.length !== KEY_BYTES) {
      bytes?.fill(0);
      throw new InvalidMasterKeyError(
        `${source} must be exactly ${KEY_BYTES} bytes encoded in base64 (44 characters)` +
          `${bytes ? `, but it decodes to ${bytes.length} bytes` : ', but it is not valid base64'}. ` +
          'Generate one with: openssl rand -base64 32',
      );
    }
    return new MasterKey(bytes);
  }

  /** Wraps 32 raw bytes (copied). @throws {InvalidMasterKeyError} */
  static fromBytes(bytes: Uint8Array): MasterKey {
    if (bytes.length !== KEY_BYTES) {
      throw new InvalidMasterKeyError(
        `A master key must be exactly ${KEY_BYTES} bytes, not ${bytes.length}.`,
      );
    }
    return new MasterKey(Buffer.from(bytes));
  }

  /** A new random key. */
  static generate(): MasterKey {
    return new MasterKey(randomBytes(KEY_BYTES));
  }

  /** The key as base64, e.g. to write the key file or print it once for an operator. Handle with care. */
  exportBase64(): string {
    return this.#key.export().toString('base64');
  }

  /** The key for `node:crypto` ciphers. */
  get keyObject(): KeyObject {
    return this.#key;
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }

  [inspect.custom](): string {
    return `MasterKey { id: '${this.id}' }`;
  }
}

/** The current key (used to encrypt) and previous keys (still accepted to decrypt during a rotation). */
export class Keyring {
  readonly previous: readonly MasterKey[];

  constructor(
    readonly current: MasterKey,
    previous: readonly MasterKey[] = [],
  ) {
    this.previous = previous.filter((key) => key.id !== current.id);
  }

  /** The key with that id, if configured. */
  find(keyId: string): MasterKey | undefined {
    return keyId === this.current.id ? this.current : this.previous.find((key) => key.id === keyId);
  }

  /** Ids of every configured key, current first. */
  get keyIds(): string[] {
    return [this.current.id, ...this.previous.map((key) => key.id)];
  }
}

/** Options of {@link loadMasterKey}. */
export interface LoadMasterKeyOptions {
  /** Value of `MTLS_MASTER_KEY`; when set (non-empty) it wins and no file is touched. */
  masterKey?: string | undefined;
  /** Data directory (`MTLS_DATA_DIR`) holding `master.key` otherwise. */
  dataDir: string;
  /** Receives operator warnings (a key file was generated). Never receives key material. */
  warn?: ((message: string) => void) | undefined;
  /**
   * Ids of the keys that sealed what the database already holds. When non-empty, a missing key file is not
   * generated (a new key could not open them): {@link MasterKeyMismatchError} instead.
   */
  requiredKeyIds?: readonly string[] | undefined;
}

/**
 * Loads the master key from `MTLS_MASTER_KEY`, else from `<dataDir>/master.key`, generating that file
 * (mode 0600) on first start. An existing key file readable by group or others is refused.
 *
 * @throws {InvalidMasterKeyError} when the variable or the file does not hold a base64 32-byte key.
 * @throws {InsecureMasterKeyFileError} when the key file is group/world accessible.
 * @throws {MasterKeyMismatchError} when there is no key file and `requiredKeyIds` is not empty.
 * @example
 * ```ts
 * const key = await loadMasterKey({ masterKey: process.env.MTLS_MASTER_KEY, dataDir: './data', warn: log.warn });
 * ```
 */
export async function loadMasterKey(options: LoadMasterKeyOptions): Promise<MasterKey> {
  if (options.masterKey !== undefined && options.masterKey.trim() !== '') {
    return MasterKey.fromBase64(options.masterKey, 'MTLS_MASTER_KEY');
  }
  const keyPath = path.resolve(options.dataDir, MASTER_KEY_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await readKeyFile(keyPath);
    if (existing) return existing;
    if (options.requiredKeyIds && options.requiredKeyIds.length > 0) {
      throw new MasterKeyMismatchError(
        `No master key: MTLS_MASTER_KEY is not set and ${keyPath} does not exist, but the database holds ` +
          `secrets sealed with master key ${options.requiredKeyIds.join(', ')}. Restore the master.key file ` +
          'backed up with this database into the data directory (mode 0600), or set MTLS_MASTER_KEY to that ' +
          'key. Nothing was changed; a new key would not open them.',
      );
    }
    const created = await createKeyFile(keyPath);
    if (created) {
      options.warn?.(
        `Generated a new master key in ${keyPath}. Back this file up: without it the stored certificate keys ` +
          'cannot be decrypted. Set MTLS_MASTER_KEY instead to manage the key yourself (required when ' +
          'several replicas share one database).',
      );
      return created;
    }
    // Another process created the file between our read and our create: read theirs.
  }
  throw new InvalidMasterKeyError(`Could not read or create the master key file ${keyPath}.`);
}

async function readKeyFile(keyPath: string): Promise<MasterKey | undefined> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(keyPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!info.isFile()) {
    throw new InvalidMasterKeyError(`${keyPath} is not a regular file. Remove it or set MTLS_MASTER_KEY.`);
  }
  // Windows has no POSIX permission bits to check.
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    throw new InsecureMasterKeyFileError(
      `The master key file ${keyPath} is accessible by other users (mode ${(info.mode & 0o777).toString(8)}). ` +
        `Restrict it with: chmod 600 ${keyPath}`,
    );
  }
  return MasterKey.fromBase64(await readFile(keyPath, 'utf8'), keyPath);
}

/** Creates the key file atomically (write a private temp file, then hard-link it into place). */
async function createKeyFile(keyPath: string): Promise<MasterKey | undefined> {
  await mkdir(path.dirname(keyPath), { recursive: true, mode: 0o700 });
  const key = MasterKey.generate();
  const tempPath = `${keyPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tempPath, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${key.exportBase64()}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tempPath, keyPath);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  } finally {
    await unlink(tempPath).catch(() => undefined);
  }
}
