import type { TLSSocket } from 'node:tls';
import type { buildConnector } from 'undici';

/**
 * The remote closed a TLS 1.3 connection right after the handshake, before sending anything: it refused the
 * client certificate (`code` `ERR_TLS_CLIENT_CERTIFICATE_REJECTED`).
 */
export class ClientCertificateRejectedError extends Error {
  override readonly name = 'ClientCertificateRejectedError';
  readonly code = 'ERR_TLS_CLIENT_CERTIFICATE_REJECTED';

  constructor() {
    super(
      'The remote closed the connection right after the TLS handshake: it rejected the client certificate.',
    );
  }
}

/**
 * Wraps a connector so a TLS 1.3 connection presenting a client certificate is handed over only once the
 * server has accepted that certificate. In TLS 1.3 the server checks the client certificate *after* the
 * client considers the handshake done, so without this a refusal surfaces later as a bare "other side
 * closed". The verdict is the server's first message (its session ticket: accepted), an alert or a close
 * (refused), or `graceMs` of silence (accepted: some servers send no ticket). One wait per new connection;
 * kept-alive connections pay nothing.
 *
 * @example
 * ```ts
 * const connect = awaitHandshakeVerdict(buildConnector({ secureContext, timeout: 10_000 }), 100);
 * ```
 */
export function awaitHandshakeVerdict(
  connect: buildConnector.connector,
  graceMs: number,
): buildConnector.connector {
  if (graceMs <= 0) return connect;
  return (options, callback) => {
    connect(options, (error, socket) => {
      if (error || !socket) {
        callback(error ?? new Error('No socket.'), null);
        return;
      }
      const tlsSocket = socket as TLSSocket;
      if (options.protocol !== 'https:' || tlsSocket.getProtocol?.() !== 'TLSv1.3') {
        callback(null, socket);
        return;
      }
      let settled = false;
      let lateError: Error | undefined;
      const recordLateError = (failure: Error) => {
        lateError ??= failure;
      };
      const settle = (failure: Error | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        tlsSocket.off('session', onAccepted);
        tlsSocket.off('error', onError);
        tlsSocket.off('end', onClosed);
        tlsSocket.off('close', onClosed);
        // Until undici takes over, an error must not go unhandled.
        tlsSocket.on('error', recordLateError);
        // Not from inside the 'session' event: OpenSSL is mid-read there, and undici writes at once.
        setImmediate(() => {
          tlsSocket.off('error', recordLateError);
          const problem =
            failure ?? lateError ?? (tlsSocket.destroyed ? new ClientCertificateRejectedError() : undefined);
          if (problem) {
            tlsSocket.destroy();
            callback(problem, null);
          } else callback(null, socket);
        });
      };
      const onAccepted = () => settle(undefined);
      const onError = (failure: Error) => settle(failure);
      const onClosed = () => settle(new ClientCertificateRejectedError());
      const timer = setTimeout(onAccepted, graceMs);
      tlsSocket.once('session', onAccepted);
      tlsSocket.once('error', onError);
      tlsSocket.once('end', onClosed);
      tlsSocket.once('close', onClosed);
    });
  };
}
