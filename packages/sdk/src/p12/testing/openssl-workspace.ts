// Test-only: a temporary directory where key material is generated at test time (never committed) and
// PKCS#12 files are made by the real `openssl` CLI, to check this module against the reference tool.
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How `openssl x509` describes a certificate. */
export interface OpenSslCertificateView {
  subject: string;
  issuer: string;
  serialNumber: string;
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

export type KeyType = 'rsa' | 'ec' | 'ed25519' | 'ed448';

export class OpenSslWorkspace {
  readonly directory = mkdtempSync(join(tmpdir(), 'mtls-p12-test-'));

  path(name: string): string {
    return join(this.directory, name);
  }

  write(name: string, contents: string | Uint8Array): string {
    writeFileSync(this.path(name), contents);
    return this.path(name);
  }

  read(name: string): Uint8Array {
    return new Uint8Array(readFileSync(this.path(name)));
  }

  readText(name: string): string {
    return readFileSync(this.path(name), 'utf8');
  }

  /** Runs openssl in the workspace and returns its stdout; stderr is part of the thrown error. */
  openssl(...args: string[]): string {
    return execFileSync('openssl', args, {
      cwd: this.directory,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C.UTF-8' },
    });
  }

  /** Runs openssl and returns stderr followed by stdout (`pkcs12 -info` reports algorithms on stderr). */
  opensslWithDiagnostics(...args: string[]): string {
    const result = spawnSync('openssl', args, { cwd: this.directory, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
    return result.stderr + result.stdout;
  }

  /** Generates a key with node:crypto (much faster than node-forge) and writes it as PKCS#8 PEM. */
  generateKey(name: string, type: KeyType): string {
    const pem = generateKey(type);
    this.write(name, pem);
    return pem;
  }

  /** A self-signed certificate (a CA unless told otherwise, as `req -x509` marks it). */
  selfSigned(name: string, keyFile: string, subject: string, days = 30): string {
    this.openssl(
      'req',
      '-x509',
      '-utf8',
      '-key',
      keyFile,
      '-subj',
      subject,
      '-days',
      String(days),
      '-out',
      name,
    );
    return this.readText(name);
  }

  /** A certificate for `keyFile` issued by the CA `caCertificateFile` / `caKeyFile`. */
  issue(
    name: string,
    keyFile: string,
    subject: string,
    issuer: { certificate: string; key: string },
    options: { ca?: boolean; days?: number } = {},
  ): string {
    const request = `${name}.csr`;
    this.openssl('req', '-new', '-utf8', '-key', keyFile, '-subj', subject, '-out', request);
    const extensions = this.write(
      `${name}.ext`,
      options.ca
        ? 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n'
        : 'extendedKeyUsage=clientAuth\n',
    );
    this.openssl(
      'x509',
      '-req',
      '-in',
      request,
      '-CA',
      issuer.certificate,
      '-CAkey',
      issuer.key,
      '-days',
      String(options.days ?? 30),
      '-extfile',
      extensions,
      '-out',
      name,
    );
    return this.readText(name);
  }

  /** `openssl pkcs12 -export …`; returns the file's bytes. */
  exportP12(name: string, password: string, args: string[]): Uint8Array {
    this.openssl('pkcs12', '-export', '-passout', `pass:${password}`, '-out', name, ...args);
    return this.read(name);
  }

  /** The fields `parseP12` reports, as OpenSSL prints them. */
  view(certificateFile: string): OpenSslCertificateView {
    const output = this.openssl(
      'x509',
      '-in',
      certificateFile,
      '-noout',
      '-nameopt',
      'RFC2253,-esc_msb',
      '-subject',
      '-issuer',
      '-serial',
      '-fingerprint',
      '-sha256',
      '-dates',
      '-dateopt',
      'iso_8601',
    );
    const field = (prefix: string) => {
      const line = output.split('\n').find((candidate) => candidate.startsWith(prefix));
      if (line === undefined) throw new Error(`openssl printed no ${prefix}: ${output}`);
      return line.slice(prefix.length);
    };
    return {
      subject: field('subject='),
      issuer: field('issuer='),
      serialNumber: field('serial='),
      fingerprintSha256: field('sha256 Fingerprint='),
      notBefore: new Date(field('notBefore=')),
      notAfter: new Date(field('notAfter=')),
    };
  }

  remove(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/** A fresh private key as PKCS#8 PEM. */
export function generateKey(type: KeyType): string {
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const;
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  switch (type) {
    case 'rsa':
      return generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding, privateKeyEncoding })
        .privateKey;
    case 'ec':
      return generateKeyPairSync('ec', { namedCurve: 'prime256v1', publicKeyEncoding, privateKeyEncoding })
        .privateKey;
    case 'ed25519':
      return generateKeyPairSync('ed25519', { publicKeyEncoding, privateKeyEncoding }).privateKey;
    case 'ed448':
      return generateKeyPairSync('ed448', { publicKeyEncoding, privateKeyEncoding }).privateKey;
  }
}
