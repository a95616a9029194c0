// Test-only: self-signed RSA certificates with arbitrary validity dates (OpenSSL 3.0's CLI cannot backdate).
import forge from 'node-forge';

export function forgeSelfSignedCertificate(options: {
  privateKeyPem: string;
  commonName: string;
  notBefore: Date;
  notAfter: Date;
}): string {
  const privateKey = forge.pki.privateKeyFromPem(options.privateKeyPem) as forge.pki.rsa.PrivateKey;
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  certificate.serialNumber = '01ab';
  certificate.validity.notBefore = options.notBefore;
  certificate.validity.notAfter = options.notAfter;
  const name = [{ shortName: 'CN', value: options.commonName }];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.sign(privateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(certificate);
}
