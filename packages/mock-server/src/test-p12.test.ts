import { P12NoPrivateKeyError, P12WrongPasswordError, parseP12 } from '@mtls-gateway/sdk/p12';
import { expect, test } from 'vitest';
import { createTestP12 } from './test-p12.js';

test('creates a file the SDK opens, with the asked subject and a current validity', () => {
  const parsed = parseP12(createTestP12({ commonName: 'tenant-7', password: 'secret' }), 'secret');
  expect(parsed.subject).toBe('CN=tenant-7');
  expect(parsed.validity).toBe('valid');
  expect(() => parseP12(createTestP12({ password: 'secret' }), 'other')).toThrow(P12WrongPasswordError);
});

test('validity windows, explicit dates and a file without its key', () => {
  expect(parseP12(createTestP12({ validity: 'expired' }), 'changeit').validity).toBe('expired');
  expect(parseP12(createTestP12({ validity: 'not-yet-valid' }), 'changeit').validity).toBe('not_yet_valid');
  const notAfter = new Date('2031-05-01T00:00:00Z');
  expect(parseP12(createTestP12({ notAfter }), 'changeit').notAfter).toEqual(notAfter);
  expect(() => parseP12(createTestP12({ withoutPrivateKey: true }), 'changeit')).toThrow(
    P12NoPrivateKeyError,
  );
});

test('each file has its own serial number', () => {
  const serial = () => parseP12(createTestP12(), 'changeit').serialNumber;
  expect(serial()).not.toBe(serial());
});
