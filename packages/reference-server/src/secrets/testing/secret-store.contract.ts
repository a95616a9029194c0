import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidSecretRefError, SecretDecryptionError } from '../errors.js';
import { certificateSecretRef, type SecretMaterial, type SecretStore } from '../secret-store.js';
import { createTestMaterial, pemBodyLines } from './test-material.js';

/** What a contract run needs: a ready store and how to dispose of it. */
export interface SecretStoreHarness {
  store: SecretStore;
  cleanup?: () => Promise<void>;
}

/** Options of {@link describeSecretStoreContract}. */
export interface SecretStoreContractOptions {
  /** When set, the whole suite is skipped and the reason shows in its name. */
  skipReason?: string | undefined;
}

let sharedMaterial:
  | [ReturnType<typeof createTestMaterial>, ReturnType<typeof createTestMaterial>]
  | undefined;
function materials() {
  sharedMaterial ??= [createTestMaterial('first.client.test'), createTestMaterial('second.client.test')];
  return sharedMaterial;
}

const asMaterial = ({ privateKeyPem, certificatePem, chainPem }: SecretMaterial): SecretMaterial => ({
  privateKeyPem,
  certificatePem,
  chainPem,
});

/**
 * Registers the behaviour every {@link SecretStore} must have, so each implementation (embedded on PGlite,
 * embedded on PostgreSQL, Vault) is held to the same rules. Refs are unique per run, so the suite can run
 * against a shared real Vault.
 *
 * @example
 * ```ts
 * describeSecretStoreContract('embedded on PGlite', async () => ({ store, cleanup }));
 * ```
 */
export function describeSecretStoreContract(
  name: string,
  setup: () => Promise<SecretStoreHarness>,
  options: SecretStoreContractOptions = {},
): void {
  const title = options.skipReason ? `${name} (skipped: ${options.skipReason})` : name;

  describe.skipIf(Boolean(options.skipReason))(`SecretStore contract: ${title}`, () => {
    let harness: SecretStoreHarness;
    let store: SecretStore;
    const run = `contract-${randomBytes(5).toString('hex')}`;
    let counter = 0;
    const context = { accountId: 'le1606809', certificateId: '3515906310' };
    const nextRef = () => `${run}/${certificateSecretRef({ ...context, version: ++counter })}`;

    beforeAll(async () => {
      harness = await setup();
      store = harness.store;
    });
    afterAll(async () => harness?.cleanup?.());

    it('returns exactly what was stored', async () => {
      const [first] = materials();
      const ref = nextRef();
      await store.put(ref, { ...asMaterial(first), extra: 'dropped' } as SecretMaterial, context);
      const read = await store.get(ref, context);
      expect(read).toEqual(asMaterial(first));
      expect(read?.chainPem).toHaveLength(1);
    });

    it('keeps an empty chain and the order of a longer one', async () => {
      const [first, second] = materials();
      const empty = nextRef();
      await store.put(empty, { ...asMaterial(first), chainPem: [] }, context);
      expect((await store.get(empty, context))?.chainPem).toEqual([]);

      const long = nextRef();
      const chainPem = [second.certificatePem, ...first.chainPem, first.certificatePem];
      await store.put(long, { ...asMaterial(first), chainPem }, context);
      expect((await store.get(long, context))?.chainPem).toEqual(chainPem);
    });

    it('answers undefined for a ref that was never written', async () => {
      expect(await store.get(nextRef(), context)).toBeUndefined();
    });

    it('replaces the material when the same ref is written again', async () => {
      const [first, second] = materials();
      const ref = nextRef();
      await store.put(ref, asMaterial(first), context);
      await store.put(ref, asMaterial(second), context);
      expect(await store.get(ref, context)).toEqual(asMaterial(second));
    });

    it('deletes, tolerates deleting a missing ref, and can write the ref again', async () => {
      const [first] = materials();
      const ref = nextRef();
      await store.put(ref, asMaterial(first), context);
      await store.put(ref, asMaterial(first), context);
      await store.delete(ref, context);
      expect(await store.get(ref, context)).toBeUndefined();
      await expect(store.delete(ref, context)).resolves.toBeUndefined();
      await store.put(ref, asMaterial(first), context);
      expect(await store.get(ref, context)).toEqual(asMaterial(first));
    });

    it('keeps refs apart', async () => {
      const [first, second] = materials();
      const a = nextRef();
      const b = nextRef();
      await Promise.all([
        store.put(a, asMaterial(first), context),
        store.put(b, asMaterial(second), context),
      ]);
      expect((await store.get(a, context))?.privateKeyPem).toBe(first.privateKeyPem);
      expect((await store.get(b, context))?.privateKeyPem).toBe(second.privateKeyPem);
      await store.delete(a, context);
      expect(await store.get(b, context)).toEqual(asMaterial(second));
    });

    it('refuses to return a secret for another account or certificate, without leaking it', async () => {
      const [first] = materials();
      const ref = nextRef();
      await store.put(ref, asMaterial(first), context);
      for (const other of [
        { ...context, accountId: 'another-account' },
        { ...context, certificateId: '999' },
      ]) {
        const error = await store.get(ref, other).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SecretDecryptionError);
        const text = `${(error as Error).message} ${JSON.stringify(error)}`;
        for (const line of pemBodyLines(first.privateKeyPem)) expect(text).not.toContain(line);
      }
      // The right context still works.
      expect(await store.get(ref, context)).toEqual(asMaterial(first));
    });

    it('handles many concurrent writes', async () => {
      const [first, second] = materials();
      const refs = Array.from({ length: 12 }, nextRef);
      await Promise.all(
        refs.map((ref, i) => store.put(ref, asMaterial(i % 2 ? first : second), { ...context })),
      );
      const read = await Promise.all(refs.map((ref) => store.get(ref, context)));
      read.forEach((material, i) => {
        expect(material?.privateKeyPem).toBe((i % 2 ? first : second).privateKeyPem);
      });
    });

    it.each([
      ['empty', ''],
      ['absolute', '/accounts/a'],
      ['empty segment', 'a//b'],
      ['parent segment', 'a/../b'],
      ['dot segment', 'a/./b'],
      ['space', 'a b'],
      ['non-ASCII', 'zertifikat-ä'],
      ['too long', 'x'.repeat(513)],
    ])('rejects an invalid ref (%s)', async (_label, ref) => {
      const [first] = materials();
      await expect(store.put(ref, asMaterial(first), context)).rejects.toBeInstanceOf(InvalidSecretRefError);
      await expect(store.get(ref, context)).rejects.toBeInstanceOf(InvalidSecretRefError);
      await expect(store.delete(ref, context)).rejects.toBeInstanceOf(InvalidSecretRefError);
    });

    it('reports healthy', async () => {
      await expect(store.health()).resolves.toBeUndefined();
    });
  });
}
