import { spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { inspect } from 'node:util';
import forge from 'node-forge';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  type MockInstance,
  vi,
} from 'vitest';
import { binaryToBytes, bytesToBinary } from './binary.js';
import { readCertificate } from './certificate.js';
import { parseDer, readExplicit, readOctets, readSequence } from './der.js';
import {
  assertCertificateCurrent,
  certificateValidity,
  P12CorruptError,
  P12Error,
  P12ExpiredError,
  P12KeyMismatchError,
  P12MultipleKeysError,
  P12NoCertificateError,
  P12NoPrivateKeyError,
  P12NotYetValidError,
  P12TooCostlyError,
  P12UnsupportedFormatError,
  P12UnsupportedKeyError,
  P12WrongPasswordError,
  type ParsedP12,
  parseP12,
} from './index.js';
import { type BagToWrite, encodePfx } from './pfx.js';
import { forgeSelfSignedCertificate } from './testing/forge-certificate.js';
import {
  HUGE_KEY_LENGTH,
  macCostCapFile,
  pbes2KeyLengthBomb,
  pbmac1KeyLengthBomb,
} from './testing/hostile-p12.js';
import { OpenSslWorkspace } from './testing/openssl-workspace.js';
import { addPbmac1 } from './testing/pbmac1.js';

const PASSWORD = 'correct horse';
const CLIENT = ['-in', 'client.pem', '-inkey', 'client.key', '-certfile', 'root-then-intermediate.pem'];

let workspace: OpenSslWorkspace;

beforeAll(() => {
  workspace = new OpenSslWorkspace();
  const w = workspace;
  w.generateKey('root.key', 'rsa');
  w.selfSigned('root.pem', 'root.key', '/O=Acme/CN=Acme Root CA', 365);
  w.generateKey('intermediate.key', 'rsa');
  w.issue('intermediate.pem', 'intermediate.key', '/O=Acme/CN=Acme Issuing CA', ca('root'), { ca: true });
  w.generateKey('client.key', 'rsa');
  w.issue('client.pem', 'client.key', '/C=CH/O=Acme, Inc./CN=client', ca('intermediate'));
  w.write('root-then-intermediate.pem', w.readText('root.pem') + w.readText('intermediate.pem'));
  w.generateKey('other.key', 'rsa');
  w.selfSigned('other.pem', 'other.key', '/CN=other');
});

afterAll(() => workspace?.remove());

function ca(name: string) {
  return { certificate: `${name}.pem`, key: `${name}.key` };
}

function certificateDer(file: string): string {
  return bytesToBinary(new X509Certificate(workspace.readText(file)).raw);
}

function keyDer(file: string): string {
  return bytesToBinary(createPrivateKey(workspace.readText(file)).export({ type: 'pkcs8', format: 'der' }));
}

/** Asserts `parsed` describes client.pem + client.key exactly as OpenSSL sees them. */
function expectClientIdentity(parsed: ParsedP12): void {
  const view = workspace.view('client.pem');
  expect(parsed).toMatchObject({
    subject: 'CN=client,O=Acme\\, Inc.,C=CH',
    issuer: 'CN=Acme Issuing CA,O=Acme',
    keyMatchesCertificate: true,
    keyAlgorithm: 'RSA',
    validity: 'valid',
  });
  expect(parsed.subject).toBe(view.subject);
  expect(parsed.issuer).toBe(view.issuer);
  expect(parsed.serialNumber).toBe(view.serialNumber);
  expect(parsed.fingerprintSha256).toBe(view.fingerprintSha256);
  expect(parsed.notBefore).toEqual(view.notBefore);
  expect(parsed.notAfter).toEqual(view.notAfter);
  expect(parsed.certificatePem).toBe(workspace.readText('client.pem'));
  expect(parsed.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  expect(keyDerOfPem(parsed.privateKeyPem)).toBe(keyDer('client.key'));
}

function keyDerOfPem(pem: string): string {
  return bytesToBinary(createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }));
}

/** Runs `action` and returns what it threw. */
function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('parseP12 on files written by openssl pkcs12 -export', () => {
  it.each([
    ['the OpenSSL 3 default (PBES2 AES-256-CBC, SHA-256 MAC)', []],
    ['-legacy (RC2-40 certificates, 3DES key, SHA-1 MAC)', ['-legacy']],
    ['PKCS#12 3DES throughout', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']],
    [
      'RC2-128 key and 2-key 3DES certificates',
      ['-legacy', '-keypbe', 'PBE-SHA1-RC2-128', '-certpbe', 'PBE-SHA1-2DES'],
    ],
    [
      'PBES2 3DES / AES-192 with a SHA-512 MAC',
      ['-keypbe', 'DES-EDE3-CBC', '-certpbe', 'AES-192-CBC', '-macalg', 'sha512'],
    ],
    ['-nomac', ['-nomac']],
    ['no MAC and no encryption', ['-nomac', '-keypbe', 'NONE', '-certpbe', 'NONE']],
    ['no encryption but a MAC', ['-keypbe', 'NONE', '-certpbe', 'NONE']],
  ])('reads %s', (_name, options) => {
    const bytes = workspace.exportP12('client.p12', PASSWORD, [...CLIENT, ...options]);
    const parsed = parseP12(bytes, PASSWORD);
    expectClientIdentity(parsed);
    expect(parsed.chainPem).toEqual([workspace.readText('intermediate.pem'), workspace.readText('root.pem')]);
  });

  it.each([
    ['modern', []],
    ['legacy', ['-legacy']],
  ])('reads %s files with an empty password', (_name, options) => {
    const bytes = workspace.exportP12('empty.p12', '', [...CLIENT, ...options]);
    expectClientIdentity(parseP12(bytes, ''));
    expect(thrownBy(() => parseP12(bytes, ' '))).toBeInstanceOf(P12WrongPasswordError);
  });

  it.each([
    ['modern', []],
    ['legacy', ['-legacy']],
  ])(
    'reads %s files with a non-ASCII password (UTF-8 for PBKDF2, UTF-16 for the PKCS#12 KDF)',
    (_n, options) => {
      const password = 'pässwörd-€-😀';
      const bytes = workspace.exportP12('unicode.p12', password, [...CLIENT, ...options]);
      expectClientIdentity(parseP12(bytes, password));
      expect(thrownBy(() => parseP12(bytes, 'passwörd'))).toBeInstanceOf(P12WrongPasswordError);
    },
  );

  it('reads a PBMAC1 file (RFC 9579, OpenSSL 3.4 -pbmac1_pbkdf2) and checks its MAC', () => {
    const withoutMac = workspace.exportP12('pbmac1.p12', PASSWORD, [...CLIENT, '-nomac']);
    const bytes = addPbmac1(withoutMac, PASSWORD);
    expectClientIdentity(parseP12(bytes, PASSWORD));
    const forgedMac = addPbmac1(withoutMac, 'another password');
    expect(thrownBy(() => parseP12(forgedMac, PASSWORD))).toBeInstanceOf(P12WrongPasswordError);
  });

  it('reads EC (P-256) and Ed25519 identities', () => {
    for (const type of ['ec', 'ed25519'] as const) {
      workspace.generateKey(`${type}.key`, type);
      workspace.selfSigned(`${type}.pem`, `${type}.key`, `/CN=${type} client`);
      const bytes = workspace.exportP12(`${type}.p12`, PASSWORD, [
        '-in',
        `${type}.pem`,
        '-inkey',
        `${type}.key`,
      ]);
      const parsed = parseP12(bytes, PASSWORD);
      expect(parsed.keyAlgorithm).toBe(type === 'ec' ? 'EC' : 'Ed25519');
      expect(parsed.subject).toBe(`CN=${type} client`);
      expect(parsed.fingerprintSha256).toBe(workspace.view(`${type}.pem`).fingerprintSha256);
      expect(keyDerOfPem(parsed.privateKeyPem)).toBe(keyDer(`${type}.key`));
      expect(parsed.chainPem).toEqual([]);
    }
  });

  it('pairs an EC key with a certificate carrying the compressed form of its public key', () => {
    workspace.generateKey('ec-c.key', 'ec');
    workspace.openssl('ec', '-in', 'ec-c.key', '-conv_form', 'compressed', '-out', 'ec-compressed.key');
    workspace.selfSigned('ec-c.pem', 'ec-compressed.key', '/CN=compressed');
    expect([2, 3]).toContain(readCertificate(certificateDer('ec-c.pem')).publicKey.key.charCodeAt(0));
    const bytes = workspace.exportP12('ec-c.p12', PASSWORD, ['-in', 'ec-c.pem', '-inkey', 'ec-c.key']);
    expect(parseP12(bytes, PASSWORD)).toMatchObject({ keyAlgorithm: 'EC', subject: 'CN=compressed' });
  });

  it('reads BER: an indefinite-length PFX whose content is a constructed, chunked OCTET STRING', () => {
    const der = bytesToBinary(workspace.exportP12('ber.p12', PASSWORD, CLIENT));
    const [version, authSafe, macData] = readSequence(parseDer(der, 'the file'), 'the file', 3);
    const [contentType, wrapper] = readSequence(authSafe, 'the authenticated safe', 2);
    const content = readOctets(readExplicit(wrapper, 0, 'the content'), 'the content');
    const { Class, Type } = forge.asn1;
    const chunk = (part: string) => forge.asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, part);
    const chunked = forge.asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, true, [
      chunk(content.slice(0, 1000)),
      chunk(content.slice(1000)),
    ]);
    const berAuthSafe = forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
      contentType as forge.asn1.Asn1,
      forge.asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [chunked]),
    ]);
    const children = [version, berAuthSafe, macData].map((node) =>
      forge.asn1.toDer(node as forge.asn1.Asn1).getBytes(),
    );
    const ber = `\x30\x80${children.join('')}\x00\x00`;
    expectClientIdentity(parseP12(binaryToBytes(ber), PASSWORD));
  });

  it('reports the friendly name', () => {
    const bytes = workspace.exportP12('named.p12', PASSWORD, [...CLIENT, '-name', 'Partner API – prod']);
    expect(parseP12(bytes, PASSWORD).friendlyName).toBe('Partner API – prod');
  });

  it('gives an identity that completes a real mutual-TLS handshake on loopback', async () => {
    const parsed = parseP12(workspace.exportP12('tls.p12', PASSWORD, CLIENT), PASSWORD);
    const server = createServer({
      key: workspace.readText('other.key'),
      cert: workspace.readText('other.pem'),
      requestCert: true,
      rejectUnauthorized: false,
    });
    const peerFingerprint = new Promise<string>((resolve) => {
      server.on('secureConnection', (socket) => {
        resolve(socket.getPeerCertificate().fingerprint256);
        socket.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = connect({
        host: '127.0.0.1',
        port,
        key: parsed.privateKeyPem,
        cert: parsed.certificatePem + parsed.chainPem.join(''),
        rejectUnauthorized: false,
      });
      client.on('error', () => {});
      expect(await peerFingerprint).toBe(parsed.fingerprintSha256);
      client.destroy();
    } finally {
      server.close();
    }
  });
});

describe('chain order', () => {
  function bags(...items: BagToWrite[]): Uint8Array {
    return binaryToBytes(
      encodePfx({
        password: PASSWORD,
        scheme: 'aes256',
        mac: 'sha256',
        iterations: 16,
        safes: [{ encrypted: true, bags: items }],
      }),
    );
  }
  const certificate = (file: string, localKeyId?: string): BagToWrite => ({
    kind: 'certificate',
    der: certificateDer(file),
    ...(localKeyId === undefined ? {} : { localKeyId }),
  });

  it('puts the issuer path first whatever the file order, unrelated certificates last, duplicates once', () => {
    const bytes = bags(
      certificate('root.pem'),
      certificate('other.pem'),
      { kind: 'key', pkcs8Der: keyDer('client.key') },
      certificate('intermediate.pem'),
      certificate('client.pem'),
      certificate('root.pem'),
    );
    const parsed = parseP12(bytes, PASSWORD);
    expect(parsed.certificatePem).toBe(workspace.readText('client.pem'));
    expect(parsed.chainPem).toEqual(
      ['intermediate.pem', 'root.pem', 'other.pem'].map((file) => workspace.readText(file)),
    );
  });

  it('orders a bundle given to openssl with the leaf in the middle', () => {
    const bundle = ['root.pem', 'client.pem', 'intermediate.pem']
      .map((file) => workspace.readText(file))
      .join('');
    workspace.write('bundle.pem', bundle);
    const bytes = workspace.exportP12('bundle.p12', PASSWORD, ['-in', 'bundle.pem', '-inkey', 'client.key']);
    const parsed = parseP12(bytes, PASSWORD);
    expectClientIdentity(parsed);
    expect(parsed.chainPem).toEqual([workspace.readText('intermediate.pem'), workspace.readText('root.pem')]);
  });

  it('prefers the certificate the key names by localKeyId when two certificates share the key', () => {
    workspace.selfSigned('client-renewed.pem', 'client.key', '/CN=client renewed');
    const bytes = bags(certificate('client.pem'), certificate('client-renewed.pem', 'id-1'), {
      kind: 'key',
      pkcs8Der: keyDer('client.key'),
      localKeyId: 'id-1',
    });
    const parsed = parseP12(bytes, PASSWORD);
    expect(parsed.subject).toBe('CN=client renewed');
    expect(parsed.chainPem).toEqual([workspace.readText('client.pem')]);
  });
});

describe('parseP12 errors', () => {
  it.each([
    ['modern', []],
    ['legacy', ['-legacy']],
    ['no-MAC', ['-nomac']],
  ])('refuses a wrong password on a %s file without revealing it', (_name, options) => {
    const bytes = workspace.exportP12('wrong.p12', PASSWORD, [...CLIENT, ...options]);
    const error = thrownBy(() => parseP12(bytes, 'Tr0ub4dor&3'));
    expect(error).toBeInstanceOf(P12WrongPasswordError);
    expect(error).toBeInstanceOf(P12Error);
    expect(error).toMatchObject({ code: 'p12_wrong_password', status: 400 });
    for (const rendering of [String(error), JSON.stringify(error), inspect(error, { depth: 5 })]) {
      expect(rendering).not.toContain('Tr0ub4dor');
      expect(rendering).not.toContain(PASSWORD);
    }
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'P12WrongPasswordError',
      code: 'p12_wrong_password',
      status: 400,
      message: expect.stringMatching(/password/),
    });
  });

  it('refuses a non-empty password on a file exported with an empty one', () => {
    const bytes = workspace.exportP12('empty.p12', '', CLIENT);
    expect(thrownBy(() => parseP12(bytes, PASSWORD))).toBeInstanceOf(P12WrongPasswordError);
  });

  it('treats a byte changed inside the MAC-protected content as a wrong password (the MAC cannot tell)', () => {
    const bytes = workspace.exportP12('damaged.p12', PASSWORD, CLIENT);
    const damaged = bytes.slice();
    damaged[400] = (damaged[400] ?? 0) ^ 0x01;
    expect(thrownBy(() => parseP12(damaged, PASSWORD))).toBeInstanceOf(P12WrongPasswordError);
  });

  it.each([
    ['an empty file', () => new Uint8Array()],
    ['random bytes', () => Uint8Array.from({ length: 2048 }, (_, index) => (index * 7919) % 251)],
    ['a PEM certificate (text)', () => new TextEncoder().encode(workspace.readText('client.pem'))],
    ['a DER certificate', () => new Uint8Array(new X509Certificate(workspace.readText('client.pem')).raw)],
    ['a file truncated in the middle', () => workspace.exportP12('cut.p12', PASSWORD, CLIENT).slice(0, 900)],
    ['a file missing its last byte', () => workspace.exportP12('cut.p12', PASSWORD, CLIENT).slice(0, -1)],
  ])('reports %s as corrupt', (_name, makeBytes) => {
    const error = thrownBy(() => parseP12(makeBytes(), PASSWORD));
    expect(error).toBeInstanceOf(P12CorruptError);
    expect(error).toMatchObject({ code: 'p12_corrupt' });
    expect(String(error)).not.toContain(PASSWORD);
  });

  it('reports damaged bags inside a correctly authenticated file as corrupt', () => {
    for (const pkcs8Der of [
      'not DER at all',
      forge.asn1.toDer(forge.asn1.create(0, 2, false, '\x05')).getBytes(),
    ]) {
      const bytes = binaryToBytes(
        encodePfx({
          password: PASSWORD,
          scheme: 'aes256',
          mac: 'sha256',
          iterations: 16,
          safes: [{ encrypted: false, bags: [{ kind: 'key', pkcs8Der }] }],
        }),
      );
      expect(thrownBy(() => parseP12(bytes, PASSWORD))).toMatchObject({ constructor: P12CorruptError });
    }
  });

  it('refuses a file without private key (-nokeys)', () => {
    const bytes = workspace.exportP12('nokeys.p12', PASSWORD, ['-nokeys', '-in', 'client.pem']);
    expect(thrownBy(() => parseP12(bytes, PASSWORD))).toMatchObject({
      constructor: P12NoPrivateKeyError,
      code: 'p12_no_private_key',
    });
  });

  it('refuses a file without certificate (-nocerts)', () => {
    const bytes = workspace.exportP12('nocerts.p12', PASSWORD, ['-nocerts', '-inkey', 'client.key']);
    expect(thrownBy(() => parseP12(bytes, PASSWORD))).toMatchObject({
      constructor: P12NoCertificateError,
      code: 'p12_no_certificate',
    });
  });

  const pfxOf = (...items: BagToWrite[]) =>
    binaryToBytes(
      encodePfx({
        password: PASSWORD,
        scheme: '3des',
        mac: 'sha1',
        iterations: 16,
        safes: [{ encrypted: false, bags: items }],
      }),
    );

  it('refuses a key whose certificate is missing', () => {
    const bytes = pfxOf(
      { kind: 'key', pkcs8Der: keyDer('client.key') },
      { kind: 'certificate', der: certificateDer('other.pem') },
      { kind: 'certificate', der: certificateDer('intermediate.pem') },
    );
    expect(thrownBy(() => parseP12(bytes, PASSWORD))).toMatchObject({
      constructor: P12KeyMismatchError,
      code: 'p12_key_mismatch',
    });
  });

  it('refuses two private keys', () => {
    const bytes = pfxOf(
      { kind: 'key', pkcs8Der: keyDer('client.key') },
      { kind: 'key', pkcs8Der: keyDer('other.key'), shrouded: false },
      { kind: 'certificate', der: certificateDer('client.pem') },
      { kind: 'certificate', der: certificateDer('other.pem') },
    );
    expect(thrownBy(() => parseP12(bytes, PASSWORD))).toMatchObject({
      constructor: P12MultipleKeysError,
      code: 'p12_multiple_keys',
      keyCount: 2,
    });
  });

  it('refuses an Ed448 key as unsupported', () => {
    workspace.generateKey('ed448.key', 'ed448');
    workspace.selfSigned('ed448.pem', 'ed448.key', '/CN=ed448');
    const bytes = workspace.exportP12('ed448.p12', PASSWORD, ['-in', 'ed448.pem', '-inkey', 'ed448.key']);
    const error = thrownBy(() => parseP12(bytes, PASSWORD));
    expect(error).toMatchObject({ constructor: P12UnsupportedKeyError, code: 'p12_unsupported_key' });
    expect(String(error)).toContain('Ed448');
  });

  it('refuses an EC key stored without its public key, which cannot be paired', () => {
    workspace.generateKey('bare-ec.key', 'ec');
    workspace.selfSigned('bare-ec.pem', 'bare-ec.key', '/CN=bare ec');
    workspace.openssl('ec', '-in', 'bare-ec.key', '-no_public', '-out', 'bare-ec-sec1.key');
    workspace.openssl('pkcs8', '-topk8', '-nocrypt', '-in', 'bare-ec-sec1.key', '-out', 'bare-ec-pkcs8.key');
    const bytes = pfxOf(
      { kind: 'key', pkcs8Der: pemDer('bare-ec-pkcs8.key') },
      { kind: 'certificate', der: certificateDer('bare-ec.pem') },
    );
    expect(thrownBy(() => parseP12(bytes, PASSWORD))).toMatchObject({
      constructor: P12UnsupportedKeyError,
      message: expect.stringContaining('public key'),
    });
  });

  it('refuses RC4 encryption and public-key integrity mode as unsupported', () => {
    const rc4 = workspace.exportP12('rc4.p12', PASSWORD, [
      ...CLIENT,
      '-legacy',
      '-certpbe',
      'PBE-SHA1-RC4-128',
    ]);
    expect(thrownBy(() => parseP12(rc4, PASSWORD))).toMatchObject({
      constructor: P12UnsupportedFormatError,
      code: 'p12_unsupported_format',
      message: expect.stringContaining('RC4'),
    });

    const modern = workspace.exportP12('signed.p12', PASSWORD, CLIENT);
    // Same file with its content type switched to signedData.
    const signed = bytesToBinary(modern).replace(
      '\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01',
      '\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02',
    );
    expect(thrownBy(() => parseP12(binaryToBytes(signed), PASSWORD))).toMatchObject({
      constructor: P12UnsupportedFormatError,
      message: expect.stringContaining('public-key integrity'),
    });
  });

  it('rejects arguments of the wrong type with a TypeError', () => {
    expect(() => parseP12('MIIK' as unknown as Uint8Array, PASSWORD)).toThrow(TypeError);
    expect(() => parseP12(new Uint8Array(4), undefined as unknown as string)).toThrow(TypeError);
    for (const maxIterations of [0, -1, 1.5, Number.NaN]) {
      expect(() => parseP12(new Uint8Array(4), PASSWORD, { maxIterations })).toThrow(TypeError);
    }
    expect(() => parseP12(new Uint8Array(4), PASSWORD, { maxKeyDerivationWork: 0 })).toThrow(TypeError);
  });
});

describe('cost limits: p12_too_costly before the work is done', () => {
  let derivations: { pbkdf2: MockInstance; pkcs12: MockInstance };

  beforeEach(() => {
    derivations = {
      pbkdf2: vi.spyOn(forge.pkcs5, 'pbkdf2'),
      pkcs12: vi.spyOn(forge.pkcs12, 'generateKey'),
    };
  });
  afterEach(() => vi.restoreAllMocks());

  function expectTooCostly(action: () => unknown, detail: string): void {
    const error = thrownBy(action);
    expect(error).toBeInstanceOf(P12TooCostlyError);
    expect(error).toMatchObject({
      name: 'P12TooCostlyError',
      code: 'p12_too_costly',
      status: 400,
      message: expect.stringContaining(detail),
    });
  }

  it('refuses the reported 161-byte PBMAC1 file (one iteration, a 512 MiB key) without deriving anything', () => {
    const bytes = pbmac1KeyLengthBomb();
    expect(bytes.length).toBe(161);
    expectTooCostly(() => parseP12(bytes, ''), `a key of ${HUGE_KEY_LENGTH} bytes`);
    expect(derivations.pbkdf2).not.toHaveBeenCalled();
  });

  it('refuses a PBES2 encryption whose PBKDF2 asks for a huge key without deriving anything', () => {
    expectTooCostly(() => parseP12(pbes2KeyLengthBomb(), PASSWORD), `a key of ${HUGE_KEY_LENGTH} bytes`);
    expectTooCostly(() => parseP12(pbes2KeyLengthBomb(65), PASSWORD), 'a key of 65 bytes');
    expect(derivations.pbkdf2).not.toHaveBeenCalled();
  });

  it('refuses a PBMAC1 key length other than its HMAC output length (RFC 9579) before deriving', () => {
    for (const keyLength of [16, 33, 64]) {
      const error = thrownBy(() => parseP12(pbmac1KeyLengthBomb(keyLength), ''));
      expect(error).toMatchObject({
        code: 'p12_corrupt',
        message: expect.stringContaining('PBMAC1 key length'),
      });
    }
    expect(derivations.pbkdf2).not.toHaveBeenCalled();
  });

  it('refuses iteration counts over the cap (MAC, PBES2, PKCS#12 PBE, PBMAC1) before deriving', () => {
    expectTooCostly(() => parseP12(macCostCapFile({ iterations: 200_001 }), ''), '200001 iterations');
    expectTooCostly(() => parseP12(pbes2KeyLengthBomb(32, 200_001), ''), '200001 iterations');
    const limit = { maxIterations: 2000 };
    const modern = workspace.exportP12('iter.p12', PASSWORD, CLIENT);
    expectTooCostly(() => parseP12(modern, PASSWORD, limit), '2048 iterations (the limit is 2000)');
    const legacyNoMac = workspace.exportP12('iter-legacy.p12', PASSWORD, [...CLIENT, '-legacy', '-nomac']);
    expectTooCostly(() => parseP12(legacyNoMac, PASSWORD, limit), 'an encryption asks for 2048 iterations');
    const pbmac1 = addPbmac1(
      workspace.exportP12('iter-pbmac1.p12', PASSWORD, [...CLIENT, '-nomac']),
      PASSWORD,
    );
    expectTooCostly(() => parseP12(pbmac1, PASSWORD, limit), 'the MAC asks for 2048 iterations');
    expect(derivations.pbkdf2).not.toHaveBeenCalled();
    expect(derivations.pkcs12).not.toHaveBeenCalled();
    expect(parseP12(modern, PASSWORD, { maxIterations: 2048 }).subject).toContain('CN=client');
  });

  it('counts each derivation as iterations × output blocks: exactly what a file needs opens, one less does not', () => {
    // -legacy: SHA-1 MAC (1 block), RC2-40 certificates (key 1 + IV 1), 3DES key (24 bytes = 2 SHA-1 blocks
    // + IV 1), all at 2,048 iterations.
    const legacy = workspace.exportP12('work-legacy.p12', PASSWORD, [...CLIENT, '-legacy']);
    const legacyWork = 2048 * (1 + 2 + 3);
    expectClientIdentity(parseP12(legacy, PASSWORD, { maxKeyDerivationWork: legacyWork }));
    expectTooCostly(() => parseP12(legacy, PASSWORD, { maxKeyDerivationWork: legacyWork - 1 }), 'add up');
    // OpenSSL 3 default: SHA-256 MAC, AES-256 certificates and key with PBKDF2-HMAC-SHA256: 1 block each.
    const modern = workspace.exportP12('work-modern.p12', PASSWORD, CLIENT);
    expectClientIdentity(parseP12(modern, PASSWORD, { maxKeyDerivationWork: 3 * 2048 }));
    expectTooCostly(() => parseP12(modern, PASSWORD, { maxKeyDerivationWork: 3 * 2048 - 1 }), 'add up');
  });

  it('counts every MAC attempt: the empty password is tried twice when the MAC was keyed with no password', () => {
    const bytes = macCostCapFile({ iterations: 1000 });
    const limits = { maxIterations: 1000 };
    expectTooCostly(() => parseP12(bytes, '', { ...limits, maxKeyDerivationWork: 1999 }), 'add up');
    expect(derivations.pkcs12).toHaveBeenCalledTimes(1);
    expect(thrownBy(() => parseP12(bytes, '', { ...limits, maxKeyDerivationWork: 2000 }))).toBeInstanceOf(
      P12NoPrivateKeyError,
    );
  });

  it('bounds the total work of many bags, each under the per-derivation cap', () => {
    const manySafes = Array.from({ length: 6 }, () => ({
      encrypted: true,
      bags: [{ kind: 'certificate' as const, der: certificateDer('client.pem') }],
    }));
    const bytes = binaryToBytes(
      encodePfx({ password: PASSWORD, scheme: 'aes256', mac: 'sha256', iterations: 1000, safes: manySafes }),
    );
    derivations.pbkdf2.mockClear();
    // MAC + 6 safes = 7,000; by default a file may spend five times maxIterations: the MAC and 4 safes.
    expectTooCostly(() => parseP12(bytes, PASSWORD, { maxIterations: 1000 }), 'add up');
    expect(derivations.pbkdf2).toHaveBeenCalledTimes(4);
    expect(thrownBy(() => parseP12(bytes, PASSWORD, { maxIterations: 2000 }))).toBeInstanceOf(
      P12NoPrivateKeyError,
    );
  });

  it.skipIf(!opensslWritesPbmac1())('reads a PBMAC1 file written by openssl (≥ 3.4)', () => {
    const bytes = workspace.exportP12('openssl-pbmac1.p12', PASSWORD, [...CLIENT, '-pbmac1_pbkdf2']);
    expectClientIdentity(parseP12(bytes, PASSWORD));
  });
});

/** OpenSSL ≥ 3.4 writes PBMAC1 (`-pbmac1_pbkdf2`). */
function opensslWritesPbmac1(): boolean {
  const match = /OpenSSL (\d+)\.(\d+)/.exec(
    spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout ?? '',
  );
  return match !== null && (Number(match[1]) > 3 || (Number(match[1]) === 3 && Number(match[2]) >= 4));
}

function pemDer(file: string): string {
  const body = workspace.readText(file).replace(/-----[^-]+-----|\s/g, '');
  return atob(body);
}

describe('validity period', () => {
  const day = 24 * 60 * 60 * 1000;

  function p12WithDates(notBefore: Date, notAfter: Date): Uint8Array {
    const pem = forgeSelfSignedCertificate({
      privateKeyPem: workspace.readText('client.key'),
      commonName: 'dated',
      notBefore,
      notAfter,
    });
    workspace.write('dated.pem', pem);
    return workspace.exportP12('dated.p12', PASSWORD, ['-in', 'dated.pem', '-inkey', 'client.key']);
  }

  it('parses an expired certificate, reports it expired and lets the caller refuse it with p12_expired', () => {
    const notAfter = new Date(Math.floor((Date.now() - 10 * day) / 1000) * 1000);
    const parsed = parseP12(p12WithDates(new Date(Date.now() - 400 * day), notAfter), PASSWORD);
    expect(parsed.validity).toBe('expired');
    expect(parsed.notAfter).toEqual(notAfter);
    expect(certificateValidity(parsed)).toBe('expired');
    const error = thrownBy(() => assertCertificateCurrent(parsed));
    expect(error).toMatchObject({ constructor: P12ExpiredError, code: 'p12_expired', notAfter });
    expect(String(error)).toContain(notAfter.toISOString());
  });

  it('reports a certificate whose period has not begun as not_yet_valid (p12_not_yet_valid)', () => {
    const notBefore = new Date(Math.floor((Date.now() + 10 * day) / 1000) * 1000);
    const parsed = parseP12(p12WithDates(notBefore, new Date(Date.now() + 400 * day)), PASSWORD);
    expect(parsed.validity).toBe('not_yet_valid');
    expect(thrownBy(() => assertCertificateCurrent(parsed))).toMatchObject({
      constructor: P12NotYetValidError,
      code: 'p12_not_yet_valid',
      notBefore,
    });
  });

  it('computes validity at options.now, both ends inclusive', () => {
    const parsed = parseP12(workspace.exportP12('now.p12', PASSWORD, CLIENT), PASSWORD);
    const { notBefore, notAfter } = parsed;
    expect(
      parseP12(workspace.read('now.p12'), PASSWORD, { now: new Date(notAfter.getTime() + 1) }).validity,
    ).toBe('expired');
    expect(certificateValidity(parsed, notBefore)).toBe('valid');
    expect(certificateValidity(parsed, notAfter)).toBe('valid');
    expect(certificateValidity(parsed, new Date(notBefore.getTime() - 1))).toBe('not_yet_valid');
    expect(certificateValidity(parsed, new Date(notAfter.getTime() + 1))).toBe('expired');
    expect(() => assertCertificateCurrent(parsed, notAfter)).not.toThrow();
  });
});
