import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InsecureMasterKeyFileError, InvalidMasterKeyError, SecretDecryptionError } from './errors.js';
import { Keyring, loadMasterKey, MASTER_KEY_FILE, MasterKey } from './master-key.js';
import {
  decodeSealedBox,
  encodeSealedBox,
  openConsumerSecret,
  seal,
  sealConsumerSecret,
  unseal,
} from './sealed-box.js';

describe('MasterKey', () => {
  it('decodes a base64 32-byte key; its id is the first 8 bytes of its SHA-256', () => {
    const bytes = randomBytes(32);
    const text = bytes.toString('base64');
    const key = MasterKey.fromBase64(`  ${text}\n`);
    expect(key.id).toBe(createHash('sha256').update(bytes).digest().subarray(0, 8).toString('hex'));
    expect(key.exportBase64()).toBe(text);
    expect(MasterKey.fromBytes(bytes).id).toBe(key.id);
  });

  it.each([
    ['not base64', 'this is not base64!!'],
    ['31 bytes', randomBytes(31).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['hex instead of base64', randomBytes(32).toString('hex')],
  ])('rejects a key that is %s, without echoing it', (_label, value) => {
    const error = (() => {
      try {
        MasterKey.fromBase64(value);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidMasterKeyError);
    expect((error as Error).message).toContain('MTLS_MASTER_KEY');
    expect((error as Error).message).toContain('openssl rand -base64 32');
    expect((error as Error).message).not.toContain(value);
  });

  it('never shows the key bytes when printed or serialized', () => {
    const key = MasterKey.generate();
    const secret = key.exportBase64();
    const hex = Buffer.from(secret, 'base64').toString('hex');
    for (const text of [inspect(key, { showHidden: true, depth: 5 }), JSON.stringify(key), String(key)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(hex);
    }
    expect(JSON.stringify({ key })).toBe(`{"key":{"id":"${key.id}"}}`);
  });
});

describe('loadMasterKey', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'mtls-key-'));
  });
  afterEach(async () => rm(dataDir, { recursive: true, force: true }));

  it('uses MTLS_MASTER_KEY when set and writes no file', async () => {
    const value = randomBytes(32).toString('base64');
    const key = await loadMasterKey({ masterKey: value, dataDir });
    expect(key.exportBase64()).toBe(value);
    await expect(stat(path.join(dataDir, MASTER_KEY_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('generates a 0600 key file with a warning once, then reuses it silently', async () => {
    const nested = path.join(dataDir, 'nested', 'data');
    const warnings: string[] = [];
    const first = await loadMasterKey({ dataDir: nested, warn: (m) => warnings.push(m) });
    const keyPath = path.join(nested, MASTER_KEY_FILE);
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(keyPath);
    expect(warnings[0]).not.toContain(first.exportBase64());
    expect((await readFile(keyPath, 'utf8')).trim()).toBe(first.exportBase64());

    const second = await loadMasterKey({ dataDir: nested, warn: (m) => warnings.push(m) });
    expect(second.id).toBe(first.id);
    expect(warnings).toHaveLength(1);
  });

  it('agrees on one key when several loaders start at once', async () => {
    const warnings: string[] = [];
    const keys = await Promise.all(
      Array.from({ length: 8 }, () => loadMasterKey({ dataDir, warn: (m) => warnings.push(m) })),
    );
    expect(new Set(keys.map((key) => key.id)).size).toBe(1);
    expect(warnings).toHaveLength(1);
  });

  it.each([0o644, 0o640, 0o604])('refuses an existing key file with mode %o', async (mode) => {
    const keyPath = path.join(dataDir, MASTER_KEY_FILE);
    await writeFile(keyPath, randomBytes(32).toString('base64'));
    await chmod(keyPath, mode);
    const error = await loadMasterKey({ dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsecureMasterKeyFileError);
    expect((error as Error).message).toContain(`chmod 600 ${keyPath}`);
  });

  it('rejects a key file that holds no valid key, naming the file', async () => {
    const keyPath = path.join(dataDir, MASTER_KEY_FILE);
    await writeFile(keyPath, 'short', { mode: 0o600 });
    const error = await loadMasterKey({ dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidMasterKeyError);
    expect((error as Error).message).toContain(keyPath);
  });
});

describe('sealed boxes', () => {
  it('round-trips through the packed form and fails on another AAD or key', () => {
    const key = MasterKey.generate();
    const box = seal(key, Buffer.from('hello'), 'aad-1');
    const decoded = decodeSealedBox(encodeSealedBox(box), 'test value');
    expect(decoded).toEqual(box);
    expect(unseal(new Keyring(key), decoded, 'aad-1', 'test value').toString()).toBe('hello');
    expect(() => unseal(new Keyring(key), decoded, 'aad-2', 'test value')).toThrow(SecretDecryptionError);

    const other = MasterKey.generate();
    expect(() => unseal(new Keyring(other), decoded, 'aad-1', 'test value')).toThrow(
      new RegExp(`master key ${key.id}, which is not configured`),
    );
    // A previous key is accepted for reading.
    expect(unseal(new Keyring(other, [key]), decoded, 'aad-1', 'x').toString()).toBe('hello');
  });

  it('binds a consumer secret to its consumer key', () => {
    const key = MasterKey.generate();
    const sealed = sealConsumerSecret(key, 'ck-1', 'the-secret');
    expect(sealed.includes(Buffer.from('the-secret'))).toBe(false);
    expect(openConsumerSecret(new Keyring(key), 'ck-1', sealed)).toBe('the-secret');
    expect(() => openConsumerSecret(new Keyring(key), 'ck-2', sealed)).toThrow(SecretDecryptionError);
    expect(() => openConsumerSecret(new Keyring(key), 'ck-1', Buffer.from('garbage'))).toThrow(
      SecretDecryptionError,
    );
  });
});
