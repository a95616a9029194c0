import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryToBytes, utf8ToBinary } from './binary.js';
import {
  createP12,
  P12InvalidInputError,
  P12KeyMismatchError,
  P12UnsupportedKeyError,
  P12WrongPasswordError,
  parseP12,
} from './index.js';
import { OpenSslWorkspace } from './testing/openssl-workspace.js';

const PASSWORD = 'p12 secret';

let workspace: OpenSslWorkspace;
let certificatePem: string;
let privateKeyPem: string;
let intermediatePem: string;
let rootPem: string;

beforeAll(() => {
  workspace = new OpenSslWorkspace();
  const w = workspace;
  w.generateKey('root.key', 'rsa');
  rootPem = w.selfSigned('root.pem', 'root.key', '/O=Acme/CN=Root');
  w.generateKey('intermediate.key', 'rsa');
  intermediatePem = w.issue(
    'intermediate.pem',
    'intermediate.key',
    '/O=Acme/CN=Intermediate',
    { certificate: 'root.pem', key: 'root.key' },
    { ca: true },
  );
  privateKeyPem = w.generateKey('client.key', 'rsa');
  certificatePem = w.issue('client.pem', 'client.key', '/O=Acme/CN=client', {
    certificate: 'intermediate.pem',
    key: 'intermediate.key',
  });
});

afterAll(() => workspace?.remove());

function pkcs8Der(pem: string): Buffer {
  return createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
}

/** `openssl pkcs12 -info` of a file: the algorithms it reports plus the PEM it extracts. */
function opensslRead(bytes: Uint8Array, password: string): string {
  workspace.write('created.p12', bytes);
  return workspace.opensslWithDiagnostics(
    'pkcs12',
    '-in',
    'created.p12',
    '-passin',
    `pass:${password}`,
    '-info',
    '-nodes',
  );
}

function pemBlocks(text: string, label: string): string[] {
  return [
    ...text.matchAll(new RegExp(`-----BEGIN ${label}-----[\\s\\S]*?-----END ${label}-----\\n`, 'g')),
  ].map((match) => match[0]);
}

describe('createP12', () => {
  it.each([
    [
      'aes256',
      /PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/,
      /MAC: sha256, Iteration 2048/,
    ],
    ['3des', /pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048/, /MAC: sha1, Iteration 2048/],
  ] as const)(
    'writes %s files that openssl opens, with the certificate, key, chain and friendly name',
    (algorithm, cipher, mac) => {
      const bytes = createP12({
        certificatePem,
        privateKeyPem,
        chainPem: [intermediatePem, rootPem],
        password: PASSWORD,
        friendlyName: 'partner-prod',
        algorithm,
      });
      expect(bytes).toBeInstanceOf(Uint8Array);
      const output = opensslRead(bytes, PASSWORD);
      expect(output).toMatch(cipher);
      expect(output).toMatch(mac);
      expect(output).toContain('friendlyName: partner-prod');
      expect(pemBlocks(output, 'CERTIFICATE')).toEqual([certificatePem, intermediatePem, rootPem]);
      const [keyPem] = pemBlocks(output, 'PRIVATE KEY');
      expect(pkcs8Der(keyPem ?? '')).toEqual(pkcs8Der(privateKeyPem));
      // The same bytes are what Node.js (OpenSSL) accepts as a TLS client identity.
      expect(() => createSecureContext({ pfx: Buffer.from(bytes), passphrase: PASSWORD })).not.toThrow();
    },
  );

  it('round-trips through parseP12 with the chain in issuer order', () => {
    const bytes = createP12({
      certificatePem,
      privateKeyPem,
      chainPem: rootPem + intermediatePem,
      password: PASSWORD,
    });
    const parsed = parseP12(bytes, PASSWORD);
    expect(parsed.certificatePem).toBe(certificatePem);
    expect(parsed.chainPem).toEqual([intermediatePem, rootPem]);
    expect(pkcs8Der(parsed.privateKeyPem)).toEqual(pkcs8Der(privateKeyPem));
    expect(parsed.friendlyName).toBeUndefined();
    expect(() => parseP12(bytes, 'other')).toThrow(P12WrongPasswordError);
  });

  it('takes certificates after the first one in certificatePem as chain (a fullchain.pem)', () => {
    const bytes = createP12({
      certificatePem: certificatePem + intermediatePem,
      privateKeyPem,
      password: PASSWORD,
    });
    expect(parseP12(bytes, PASSWORD).chainPem).toEqual([intermediatePem]);
  });

  it.each([
    ['an empty password', ''],
    ['a non-ASCII password', 'Grüße-€'],
  ])('writes files with %s that openssl opens', (_name, password) => {
    for (const algorithm of ['aes256', '3des'] as const) {
      const bytes = createP12({ certificatePem, privateKeyPem, password, algorithm });
      expect(pemBlocks(opensslRead(bytes, password), 'CERTIFICATE')).toEqual([certificatePem]);
      expect(parseP12(bytes, password).certificatePem).toBe(certificatePem);
    }
  });

  it('accepts PKCS#1 RSA and SEC 1 EC key PEM and stores them as PKCS#8', () => {
    const pkcs1 = createPrivateKey(privateKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    const fromPkcs1 = parseP12(
      createP12({ certificatePem, privateKeyPem: pkcs1, password: PASSWORD }),
      PASSWORD,
    );
    expect(pkcs8Der(fromPkcs1.privateKeyPem)).toEqual(pkcs8Der(privateKeyPem));

    const ecKeyPem = workspace.generateKey('ec.key', 'ec');
    const ecCertificatePem = workspace.selfSigned('ec.pem', 'ec.key', '/CN=ec client');
    const sec1 = createPrivateKey(ecKeyPem).export({ type: 'sec1', format: 'pem' }).toString();
    expect(sec1).toContain('BEGIN EC PRIVATE KEY');
    const bytes = createP12({ certificatePem: ecCertificatePem, privateKeyPem: sec1, password: PASSWORD });
    const parsed = parseP12(bytes, PASSWORD);
    expect(parsed.keyAlgorithm).toBe('EC');
    expect(pkcs8Der(parsed.privateKeyPem)).toEqual(pkcs8Der(ecKeyPem));
    expect(() => createSecureContext({ pfx: Buffer.from(bytes), passphrase: PASSWORD })).not.toThrow();
  });

  it('refuses a key that does not belong to the certificate', () => {
    const otherKey = workspace.generateKey('other.key', 'rsa');
    expect(() => createP12({ certificatePem, privateKeyPem: otherKey, password: PASSWORD })).toThrow(
      P12KeyMismatchError,
    );
  });

  it('refuses unusable PEM arguments with p12_invalid_input, never echoing the key', () => {
    const encrypted = createPrivateKey(privateKeyPem)
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' })
      .toString();
    const legacyEncrypted = createPrivateKey(privateKeyPem)
      .export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' })
      .toString();
    const damagedCertificate = certificatePem.replace(/^(-----BEGIN CERTIFICATE-----\n.{10})./m, '$1*');
    const cases = [
      { certificatePem: 'no pem here', privateKeyPem },
      { certificatePem: damagedCertificate, privateKeyPem },
      { certificatePem, privateKeyPem: 'nothing' },
      { certificatePem, privateKeyPem: encrypted },
      { certificatePem, privateKeyPem: legacyEncrypted },
      { certificatePem, privateKeyPem: privateKeyPem.replace('PRIVATE KEY', 'DSA PRIVATE KEY') },
      {
        certificatePem,
        privateKeyPem,
        chainPem: ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
      },
    ];
    for (const input of cases) {
      let error: unknown;
      try {
        createP12({ ...input, password: PASSWORD });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(P12InvalidInputError);
      expect(error).toMatchObject({ code: 'p12_invalid_input' });
      const keyBody = privateKeyPem.split('\n')[5] ?? '';
      expect(String(error)).not.toContain(keyBody);
      expect(JSON.stringify(error)).not.toContain(keyBody);
    }
  });

  it('refuses keys it cannot pair (Ed448)', () => {
    workspace.generateKey('ed448.key', 'ed448');
    const ed448Certificate = workspace.selfSigned('ed448.pem', 'ed448.key', '/CN=ed448');
    expect(() =>
      createP12({
        certificatePem: ed448Certificate,
        privateKeyPem: workspace.readText('ed448.key'),
        password: 'x',
      }),
    ).toThrow(P12UnsupportedKeyError);
  });
});

describe('interoperability with node-forge files', () => {
  function forgeP12(
    password: string | null,
    encodePassword: (password: string) => string = (text) => text,
  ): Uint8Array {
    const key = forge.pki.privateKeyFromPem(privateKeyPem);
    const certificate = forge.pki.certificateFromPem(certificatePem);
    const asn1 = forge.pkcs12.toPkcs12Asn1(
      key,
      [certificate],
      password === null ? null : encodePassword(password),
      {
        algorithm: '3des',
      },
    );
    return binaryToBytes(forge.asn1.toDer(asn1).getBytes());
  }

  it('reads files forge writes, including its "no password" form for the empty password', () => {
    expect(parseP12(forgeP12(PASSWORD), PASSWORD).certificatePem).toBe(certificatePem);
    expect(parseP12(forgeP12(null), '').certificatePem).toBe(certificatePem);
  });

  it('reads non-ASCII passwords hashed as UTF-8 bytes, as OpenSSL before 1.1 did', () => {
    const bytes = forgeP12('Grüße', utf8ToBinary);
    expect(parseP12(bytes, 'Grüße').certificatePem).toBe(certificatePem);
    expect(() => parseP12(bytes, 'Gruße')).toThrow(P12WrongPasswordError);
  });

  it('reads certificates that node-forge cannot (EC chain certificates)', () => {
    workspace.generateKey('ec-ca.key', 'ec');
    const ecCa = workspace.selfSigned('ec-ca.pem', 'ec-ca.key', '/CN=EC CA');
    const bytes = createP12({ certificatePem, privateKeyPem, chainPem: ecCa, password: PASSWORD });
    expect(() => forge.pki.certificateFromPem(ecCa)).toThrow();
    const parsed = parseP12(bytes, PASSWORD);
    expect(parsed.chainPem).toEqual([ecCa]);
    expect(new X509Certificate(parsed.chainPem[0] ?? '').subject).toBe('CN=EC CA');
  });
});
