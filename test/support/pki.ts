/**
 * A throw-away PKI for tests: certificate authorities, server and client certificates, PKCS#12 files and a
 * small HTTPS server that records who connected. Node-only.
 *
 * Certificates are encoded here in DER by hand and signed with `node:crypto`, so this file needs no
 * dependency and is fast (one RSA-2048 key generation per certificate, native signing).
 *
 * @example
 * ```ts
 * import { createTestCA, startTlsServer } from '../../test/support/pki.js';
 *
 * const ca = createTestCA();
 * const server = await startTlsServer({ ...ca.issue({ commonName: 'localhost', kind: 'server' }) });
 * // … call server.url trusting ca.certPem …
 * await server.close();
 * ```
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
} from 'node:crypto';
import { once } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import forge from 'node-forge';

/** PEM material of one issued certificate. */
export interface TestCertificate {
  /** The certificate alone. */
  certPem: string;
  /** Its unencrypted PKCS#8 private key. */
  keyPem: string;
  /** The certificate followed by the issuing CA chain (what a server or client presents). */
  chainPem: string;
  /** The subject common name. */
  commonName: string;
}

/** `current` (default), or a validity window entirely in the past or in the future. */
export type TestValidity = 'current' | 'expired' | 'not-yet-valid';

/** What {@link TestCA.issue} should put in the certificate. */
export interface IssueOptions {
  commonName: string;
  /** `server` → serverAuth, `client` → clientAuth extended key usage. */
  kind: 'server' | 'client';
  /** DNS names and IP addresses. Default for servers: `localhost`, `127.0.0.1`, `::1`; none for clients. */
  altNames?: string[];
  /** Shortcut for a window in the past or in the future; `notBefore`/`notAfter` win when given. */
  validity?: TestValidity;
  notBefore?: Date;
  notAfter?: Date;
  /** Reuse an existing PEM private key instead of generating one (saves ~50 ms). */
  keyPem?: string;
}

/** A certificate authority that issues test certificates. */
export interface TestCA extends TestCertificate {
  /**
   * Issue a leaf certificate signed by this CA.
   *
   * @example
   * ```ts
   * const client = ca.issue({ commonName: 'tenant-42', kind: 'client' });
   * const expired = ca.issue({ commonName: 'localhost', kind: 'server', validity: 'expired' });
   * ```
   */
  issue(options: IssueOptions): TestCertificate;
  /**
   * Create an intermediate CA signed by this one; its `chainPem` holds the whole chain up to (and including)
   * the root, and the certificates it issues carry that chain too.
   *
   * @example
   * ```ts
   * const intermediate = createTestCA().createIntermediate('Issuing CA');
   * const server = intermediate.issue({ commonName: 'localhost', kind: 'server' });
   * ```
   */
  createIntermediate(commonName: string): TestCA;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Create a self-signed root CA (valid from one hour ago for ten years).
 * The default common name carries a random suffix, so two CAs in one test are never confused by name.
 *
 * @example
 * ```ts
 * const ca = createTestCA({ commonName: 'Partner CA' });
 * const server = ca.issue({ commonName: 'localhost', kind: 'server' });
 * ```
 */
export function createTestCA(options: { commonName?: string } = {}): TestCA {
  const commonName = options.commonName ?? `mTLS Gateway Test CA ${randomBytes(4).toString('hex')}`;
  const keyPem = generateKeyPem();
  const certPem = buildCertificate({
    subject: commonName,
    subjectKeyPem: keyPem,
    issuer: commonName,
    issuerKeyPem: keyPem,
    isCA: true,
    ...validityWindow('current', 10 * 365 * DAY),
  });
  return makeCA({ commonName, certPem, keyPem, chainPem: certPem }, []);
}

/**
 * A self-signed server certificate (its own issuer, not a CA): trusted only by `allowSelfSigned`-style
 * clients or by passing `certPem` as a trusted CA.
 *
 * @example
 * ```ts
 * const selfSigned = selfSignedServer();
 * const server = await startTlsServer(selfSigned);
 * ```
 */
export function selfSignedServer(
  options: { commonName?: string; altNames?: string[]; validity?: TestValidity } = {},
): TestCertificate {
  const commonName = options.commonName ?? 'localhost';
  const keyPem = generateKeyPem();
  const certPem = buildCertificate({
    subject: commonName,
    subjectKeyPem: keyPem,
    issuer: commonName,
    issuerKeyPem: keyPem,
    isCA: false,
    extendedKeyUsage: SERVER_AUTH,
    altNames: options.altNames ?? DEFAULT_SERVER_ALT_NAMES,
    ...validityWindow(options.validity ?? 'current', 30 * DAY),
  });
  return { commonName, certPem, keyPem, chainPem: certPem };
}

/**
 * Package a certificate, its key and its chain as a PKCS#12 (`.p12`) file, as a tenant would upload it.
 * Built with node-forge, an independent PKCS#12 writer (the SDK's own `createP12` is what the tests check).
 * `algorithm: '3des'` gives the legacy encryption older tools produce; the default `aes256` is modern.
 *
 * @example
 * ```ts
 * const p12 = toPkcs12(ca.issue({ commonName: 'tenant', kind: 'client' }), 'secret');
 * tls.createSecureContext({ pfx: p12, passphrase: 'secret' });
 * ```
 */
export function toPkcs12(
  certificate: TestCertificate,
  password: string,
  options: { algorithm?: 'aes256' | '3des'; friendlyName?: string; includeChain?: boolean } = {},
): Buffer {
  const chain = options.includeChain === false ? [certificate.certPem] : splitPem(certificate.chainPem);
  const asn1 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(certificate.keyPem),
    chain.map((pem) => forge.pki.certificateFromPem(pem)),
    password,
    {
      algorithm: options.algorithm ?? 'aes256',
      friendlyName: options.friendlyName ?? certificate.commonName,
    },
  );
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** Split a PEM bundle into its `CERTIFICATE` blocks. */
export function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
}

// ---------------------------------------------------------------------------------------------------------
// HTTPS server

/** One request seen by a {@link TestTlsServer}. */
export interface RecordedRequest {
  method: string;
  /** Path and query string. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The whole request body (read before the handler runs). */
  body: Buffer;
  /** Subject CN of the client certificate, when one was presented. */
  peerCommonName: string | undefined;
  /** Whether the client certificate was verified against the server's `ca`. */
  authorized: boolean;
  /** 1-based number of the TLS connection the request came on: equal numbers mean a reused connection. */
  connectionId: number;
}

/** Options of {@link startTlsServer}: the server certificate plus client-certificate policy. */
export interface TlsServerOptions {
  /** Server certificate (a chain is fine: pass `chainPem`). Use `chainPem ?? certPem`. */
  certPem?: string;
  chainPem?: string;
  keyPem: string;
  /** CA(s) trusted for client certificates. */
  ca?: string | string[];
  /** Ask the client for a certificate. Default false. */
  requestCert?: boolean;
  /** Refuse the handshake when the client certificate is missing or untrusted. Default false. */
  rejectUnauthorized?: boolean;
  /** Listen address; default `127.0.0.1`. */
  host?: '127.0.0.1' | '::1';
}

/** Handles a request after its body was read; the default handler echoes it as JSON. */
export type TlsRequestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  recorded: RecordedRequest,
) => void;

/** A running test HTTPS server. */
export interface TestTlsServer {
  /** `https://127.0.0.1:<port>` (or `https://[::1]:<port>`), without a trailing slash. */
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Number of TLS connections that completed a handshake. */
  readonly connectionCount: number;
  /** Number of TCP connections currently open (e.g. kept alive by a client pool). */
  readonly openConnections: number;
  /** Handshakes the server refused or that failed (e.g. the client rejected the server certificate). */
  readonly tlsErrors: Error[];
  /** Stop listening and destroy every open connection, including ones waiting for an answer. */
  close(): Promise<void>;
}

/**
 * Start an HTTPS server on loopback, port 0. Without a handler it answers `200` with a JSON echo
 * `{ method, path, headers, body, peerCommonName }`.
 *
 * @example
 * ```ts
 * const server = await startTlsServer(
 *   { ...serverCert, ca: ca.certPem, requestCert: true, rejectUnauthorized: true },
 *   (_request, response) => response.end('hello'),
 * );
 * try {
 *   // … request server.url …
 *   expect(server.requests[0]?.peerCommonName).toBe('tenant-42');
 * } finally {
 *   await server.close();
 * }
 * ```
 */
export async function startTlsServer(
  options: TlsServerOptions,
  handler: TlsRequestHandler = echoHandler,
): Promise<TestTlsServer> {
  const cert = options.chainPem ?? options.certPem;
  if (cert === undefined) throw new Error('startTlsServer: pass certPem or chainPem');
  const host = options.host ?? '127.0.0.1';
  const requests: RecordedRequest[] = [];
  const tlsErrors: Error[] = [];
  const sockets = new Set<Socket>();
  const connectionIds = new WeakMap<TLSSocket, number>();
  let connectionCount = 0;

  const server = createServer(
    {
      cert,
      key: options.keyPem,
      ca: options.ca,
      requestCert: options.requestCert ?? false,
      rejectUnauthorized: options.rejectUnauthorized ?? false,
    },
    (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const socket = request.socket as TLSSocket;
        const peer = socket.getPeerCertificate();
        const recorded: RecordedRequest = {
          method: request.method ?? '',
          path: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks),
          peerCommonName: peer?.subject ? firstValue(peer.subject.CN) : undefined,
          authorized: socket.authorized,
          connectionId: connectionIds.get(socket) ?? 0,
        };
        requests.push(recorded);
        handler(request, response, recorded);
      });
    },
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    connectionCount += 1;
    connectionIds.set(socket, connectionCount);
  });
  server.on('tlsClientError', (error) => tlsErrors.push(error));

  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = host === '::1' ? `https://[::1]:${port}` : `https://${host}:${port}`;

  return {
    url,
    port,
    requests,
    get connectionCount() {
      return connectionCount;
    },
    get openConnections() {
      return sockets.size;
    },
    tlsErrors,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function echoHandler(_request: IncomingMessage, response: ServerResponse, recorded: RecordedRequest): void {
  const { method, path, headers, peerCommonName } = recorded;
  response.setHeader('content-type', 'application/json');
  response.end(
    JSON.stringify({ method, path, headers, body: recorded.body.toString('utf8'), peerCommonName }),
  );
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// ---------------------------------------------------------------------------------------------------------
// CA and certificate construction

const DEFAULT_SERVER_ALT_NAMES = ['localhost', '127.0.0.1', '::1'];
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

function makeCA(self: TestCertificate, parentChain: string[]): TestCA {
  // The chain a leaf presents: leaf, then this CA, then its parents (roots included: harmless, and simple).
  const caChain = [self.certPem, ...parentChain];
  return {
    ...self,
    issue(options: IssueOptions): TestCertificate {
      const keyPem = options.keyPem ?? generateKeyPem();
      const window = validityWindow(options.validity ?? 'current', 30 * DAY);
      const certPem = buildCertificate({
        subject: options.commonName,
        subjectKeyPem: keyPem,
        issuer: self.commonName,
        issuerKeyPem: self.keyPem,
        isCA: false,
        extendedKeyUsage: options.kind === 'server' ? SERVER_AUTH : CLIENT_AUTH,
        altNames: options.altNames ?? (options.kind === 'server' ? DEFAULT_SERVER_ALT_NAMES : []),
        notBefore: options.notBefore ?? window.notBefore,
        notAfter: options.notAfter ?? window.notAfter,
      });
      return { commonName: options.commonName, certPem, keyPem, chainPem: [certPem, ...caChain].join('') };
    },
    createIntermediate(commonName: string): TestCA {
      const keyPem = generateKeyPem();
      const certPem = buildCertificate({
        subject: commonName,
        subjectKeyPem: keyPem,
        issuer: self.commonName,
        issuerKeyPem: self.keyPem,
        isCA: true,
        ...validityWindow('current', 5 * 365 * DAY),
      });
      return makeCA({ commonName, certPem, keyPem, chainPem: [certPem, ...caChain].join('') }, caChain);
    },
  };
}

function generateKeyPem(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function validityWindow(validity: TestValidity, length: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  // Start an hour early so a slightly skewed clock never makes a fresh certificate "not yet valid".
  if (validity === 'expired') return { notBefore: new Date(now - 2 * DAY), notAfter: new Date(now - DAY) };
  if (validity === 'not-yet-valid')
    return { notBefore: new Date(now + DAY), notAfter: new Date(now + 2 * DAY) };
  return { notBefore: new Date(now - HOUR), notAfter: new Date(now + length) };
}

interface CertificateSpec {
  subject: string;
  subjectKeyPem: string;
  issuer: string;
  issuerKeyPem: string;
  isCA: boolean;
  extendedKeyUsage?: string;
  altNames?: string[];
  notBefore: Date;
  notAfter: Date;
}

/** Build and sign an X.509 v3 certificate (RFC 5280) with sha256WithRSAEncryption. */
function buildCertificate(spec: CertificateSpec): string {
  const subjectPublicKeyInfo = createPublicKey(spec.subjectKeyPem).export({ type: 'spki', format: 'der' });
  const issuerPublicKeyInfo = createPublicKey(spec.issuerKeyPem).export({ type: 'spki', format: 'der' });
  // Key identifiers let OpenSSL tell apart two CAs with the same name when building a chain.
  const keyIdentifier = (spki: Buffer) => createHash('sha1').update(spki).digest();
  const sha256WithRSA = sequence(oid('1.2.840.113549.1.1.11'), DER_NULL);

  const extensions = [
    extension('2.5.29.19', true, spec.isCA ? sequence(DER_TRUE) : sequence()), // basicConstraints
    // keyUsage: CA → digitalSignature, keyCertSign, cRLSign; leaf → digitalSignature, keyEncipherment.
    extension('2.5.29.15', true, namedBitString(spec.isCA ? 0b1000_0110 : 0b1010_0000)),
    extension('2.5.29.14', false, octetString(keyIdentifier(subjectPublicKeyInfo))), // subjectKeyIdentifier
    extension('2.5.29.35', false, sequence(tlv(0x80, keyIdentifier(issuerPublicKeyInfo)))), // authorityKeyId
  ];
  if (spec.extendedKeyUsage)
    extensions.push(extension('2.5.29.37', false, sequence(oid(spec.extendedKeyUsage))));
  if (spec.altNames && spec.altNames.length > 0) {
    extensions.push(extension('2.5.29.17', false, sequence(...spec.altNames.map(generalName))));
  }

  const tbsCertificate = sequence(
    tlv(0xa0, integer(Buffer.from([2]))), // version v3
    integer(serialNumber()),
    sha256WithRSA,
    name(spec.issuer),
    sequence(time(spec.notBefore), time(spec.notAfter)),
    name(spec.subject),
    subjectPublicKeyInfo,
    tlv(0xa3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbsCertificate, createPrivateKey(spec.issuerKeyPem));
  const der = sequence(tbsCertificate, sha256WithRSA, bitString(signature));
  const base64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

// --- minimal DER encoder ---------------------------------------------------------------------------------

const DER_NULL = Buffer.from([0x05, 0x00]);
const DER_TRUE = Buffer.from([0x01, 0x01, 0xff]);

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else {
    const bytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    header = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([header, content]);
}

function sequence(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function integer(unsignedBigEndian: Buffer): Buffer {
  const first = unsignedBigEndian[0] ?? 0;
  // A set high bit would read as negative: prefix a zero byte.
  return tlv(0x02, first & 0x80 ? Buffer.concat([Buffer.from([0]), unsignedBigEndian]) : unsignedBigEndian);
}

function serialNumber(): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01; // positive, no leading zero byte
  return serial;
}

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) base128.unshift((value & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function octetString(content: Buffer): Buffer {
  return tlv(0x04, content);
}

function bitString(content: Buffer, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));
}

/** A one-byte named-bit list; DER wants the trailing zero bits declared unused. */
function namedBitString(bits: number): Buffer {
  let unused = 0;
  while (unused < 7 && ((bits >> unused) & 1) === 0) unused += 1;
  return bitString(Buffer.from([bits]), unused);
}

function name(commonName: string): Buffer {
  const attribute = sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8')));
  return sequence(tlv(0x31, attribute));
}

function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(digits.slice(2), 'ascii'));
  return tlv(0x18, Buffer.from(digits, 'ascii'));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), DER_TRUE, octetString(value)) : sequence(oid(id), octetString(value));
}

function generalName(altName: string): Buffer {
  const version = isIP(altName);
  if (version === 4) return tlv(0x87, Buffer.from(altName.split('.').map(Number)));
  if (version === 6) return tlv(0x87, ipv6Bytes(altName));
  return tlv(0x82, Buffer.from(altName, 'ascii')); // dNSName
}

function ipv6Bytes(address: string): Buffer {
  if (address.includes('.')) throw new Error(`IPv4-embedded IPv6 alt names are not supported: ${address}`);
  const [head = '', tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros =
    tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const bytes = Buffer.alloc(16);
  [...headGroups, ...zeros, ...tailGroups].forEach((group, index) => {
    bytes.writeUInt16BE(Number.parseInt(group, 16), index * 2);
  });
  return bytes;
}
