import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { MalformedDerError } from './der.js';
import { P12TooCostlyError } from './errors.js';
import { KeyDerivationBudget, MAX_DERIVED_KEY_BYTES } from './key-derivation-budget.js';

const sha1 = () => forge.md.sha1.create();
const sha256 = () => forge.md.sha256.create();

describe('KeyDerivationBudget', () => {
  it('charges iterations × output blocks and refuses the derivation that would exceed the total', () => {
    const budget = new KeyDerivationBudget(1000, 5000);
    budget.charge('a', 1000, 32, 32); // 1 block: 1000
    budget.charge('b', 1000, 24, 20); // 2 SHA-1 blocks: 2000
    budget.charge('c', 1000, 64, 32); // 2 SHA-256 blocks: 2000 → 5000 spent
    expect(() => budget.charge('d', 1, 1, 64)).toThrow(P12TooCostlyError);
  });

  it('refuses over the per-derivation caps without spending, whatever the remaining budget', () => {
    const budget = new KeyDerivationBudget(1000, 1_000_000);
    expect(() => budget.charge('the MAC', 1001, 32, 32)).toThrow(/the MAC asks for 1001 iterations/);
    expect(() => budget.assertWithinLimits('the MAC', 1, MAX_DERIVED_KEY_BYTES + 1)).toThrow(
      P12TooCostlyError,
    );
    expect(() => budget.assertWithinLimits('the MAC', 1, 2 ** 40)).toThrow(/a key of 1099511627776 bytes/);
    expect(() => budget.charge('x', 1000, 32, 32)).not.toThrow();
  });

  it('reports zero iterations or a zero key length as malformed', () => {
    const budget = new KeyDerivationBudget(1000, 5000);
    expect(() => budget.charge('x', 0, 32, 32)).toThrow(MalformedDerError);
    expect(() => budget.charge('x', 1, 0, 32)).toThrow(MalformedDerError);
  });

  it('derives only after charging: the same keys as node-forge, and nothing once refused', () => {
    const budget = new KeyDerivationBudget(10, 30);
    expect(budget.pbkdf2('a', 'pw', 'salt', 10, 32, sha256)).toBe(
      forge.pkcs5.pbkdf2('pw', 'salt', 10, 32, sha256()),
    );
    // 3DES key: 24 bytes of SHA-1 = 2 blocks → 20 more, 30 spent.
    const key = budget.pkcs12Kdf('b', 'pw', 'salt', 1, 10, 24, sha1);
    expect(key).toHaveLength(24);
    expect(() => budget.pkcs12Kdf('c', 'pw', 'salt', 2, 1, 8)).toThrow(P12TooCostlyError);
  });
});
