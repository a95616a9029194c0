/**
 * Errors of the mTLS client. The `code` values are those of the LivePerson Functions toolbelt
 * (`mtls.remote-threw`, …) so code written against the original keeps working; messages start with `MTLS: `.
 * Messages never contain key material.
 */

/** Every `code` an {@link MTLSError} can carry. */
export type MTLSErrorCode =
  | 'mtls.general-issue'
  | 'mtls.remote-threw'
  | 'mtls.missing-conf'
  | 'mtls.invalid-key'
  | 'mtls.invalid-cert'
  | 'mtls.invalid-request'
  | 'mtls.request-timeout';

/**
 * Base class of every error thrown by the mTLS client; switch on `code`, or use `instanceof` on a subclass.
 *
 * @example
 * ```ts
 * try {
 *   await client.get('https://partner.example/api');
 * } catch (error) {
 *   if (error instanceof MTLSError && error.code === 'mtls.request-timeout') retryLater();
 *   else throw error;
 * }
 * ```
 */
export abstract class MTLSError extends Error {
  override readonly name: string = 'MTLSError';
  abstract readonly code: MTLSErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(`MTLS: ${message}`, options);
  }

  /** Plain JSON form (`{ name, code, message }`) for logs and problem answers. */
  toJSON(): { name: string; code: MTLSErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/**
 * Something unexpected went wrong inside the client (or it was used after `close()`).
 *
 * @example
 * ```ts
 * await client.close();
 * await client.get(url); // rejects with MTLSGeneralIssueError
 * ```
 */
export class MTLSGeneralIssueError extends MTLSError {
  override readonly name = 'MTLSGeneralIssueError';
  readonly code = 'mtls.general-issue';
}

/**
 * The remote end could not be reached or refused the TLS handshake: connection refused or reset, server
 * certificate not trusted or expired, client certificate rejected. The message names the cause; `cause` holds
 * the original network error. (An HTTP error status is *not* this error: it is a normal response.)
 *
 * @example
 * ```ts
 * await client.get('https://self-signed.example/'); // MTLSRemoteThrewError: MTLS: the server's certificate is not trusted …
 * ```
 */
export class MTLSRemoteThrewError extends MTLSError {
  override readonly name = 'MTLSRemoteThrewError';
  readonly code = 'mtls.remote-threw';
}

/**
 * No client certificate or key was configured.
 *
 * @example
 * ```ts
 * createMTLSClient({ cert: '', key: '' }); // throws MTLSMissingConfError
 * ```
 */
export class MTLSMissingConfError extends MTLSError {
  override readonly name = 'MTLSMissingConfError';
  readonly code = 'mtls.missing-conf';
}

/**
 * The private key is not an unencrypted PEM key, cannot be parsed, or does not belong to the certificate.
 *
 * @example
 * ```ts
 * createMTLSClient({ cert: certPem, key: otherKeyPem }); // throws MTLSInvalidKeyError
 * ```
 */
export class MTLSInvalidKeyError extends MTLSError {
  override readonly name = 'MTLSInvalidKeyError';
  readonly code = 'mtls.invalid-key';
}

/**
 * The client certificate (or the `ca`) is not a parsable PEM certificate.
 *
 * @example
 * ```ts
 * createMTLSClient({ cert: 'not a certificate', key: keyPem }); // throws MTLSInvalidCertError
 * ```
 */
export class MTLSInvalidCertError extends MTLSError {
  override readonly name = 'MTLSInvalidCertError';
  readonly code = 'mtls.invalid-cert';
}

/**
 * The request itself is wrong: unparsable URL, scheme other than http(s), bad header, bad option value.
 *
 * @example
 * ```ts
 * await client.get('ftp://files.example/'); // rejects with MTLSInvalidRequestError
 * ```
 */
export class MTLSInvalidRequestError extends MTLSError {
  override readonly name = 'MTLSInvalidRequestError';
  readonly code = 'mtls.invalid-request';
}

/**
 * No complete answer arrived within `timeout` milliseconds (connection, handshake and body included).
 *
 * @example
 * ```ts
 * await client.get(slowUrl, {}, undefined, { timeout: 200 }); // rejects with MTLSRequestTimeoutError
 * ```
 */
export class MTLSRequestTimeoutError extends MTLSError {
  override readonly name = 'MTLSRequestTimeoutError';
  readonly code = 'mtls.request-timeout';
}
