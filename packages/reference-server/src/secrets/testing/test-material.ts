import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import type { SecretMaterial } from '../secret-store.js';

function selfSignedCertificate(privateKeyPem: string, publicKeyPem: string, commonName: string): string {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  certificate.serialNumber = `01${randomBytes(8).toString('hex')}`;
  certificate.validity.notBefore = new Date(Date.now() - 60_000);
  certificate.validity.notAfter = new Date(Date.now() + 86_400_000);
  const attributes = [{ name: 'commonName', value: commonName }];
  certificate.setSubject(attributes);
  certificate.setIssuer(attributes);
  certificate.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(certificate);
}

/** Real certificate material for tests: a fresh RSA-2048 key (PKCS#8 PEM), its certificate and a chain. */
export function createTestMaterial(commonName = 'client.test'): SecretMaterial & {
  /** Base64 of the private key's DER, on one line (the PEM body without line breaks). */
  privateKeyDerBase64: string;
  privateKeyDer: Buffer;
} {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privateKeyDer = privateKey.export({ type: 'pkcs8', format: 'der' });
  const ca = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem,
    certificatePem: selfSignedCertificate(privateKeyPem, publicKeyPem, commonName),
    chainPem: [
      selfSignedCertificate(
        ca.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        ca.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        'Intermediate CA',
      ),
    ],
    privateKeyDer,
    privateKeyDerBase64: privateKeyDer.toString('base64'),
  };
}

/** The 64-character base64 lines of a PEM body (used to look for leaks in stored bytes). */
export function pemBodyLines(pem: string): string[] {
  return pem.split('\n').filter((line) => line.length === 64 && !line.startsWith('-----'));
}
