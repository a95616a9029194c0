import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { buildConnector, errors } from 'undici';
import type { EgressPolicy } from './egress-policy.js';

/** One address a name resolves to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a host name to every address it has. Inject a stub in tests to map names to addresses without
 * DNS.
 */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

/**
 * The system resolver (`getaddrinfo`, so `/etc/hosts` applies), every address, in the resolver's order.
 *
 * @example
 * ```ts
 * await systemResolver('localhost'); // [{ address: '127.0.0.1', family: 4 }, …]
 * ```
 */
export const systemResolver: HostResolver = async (hostname) => {
  const addresses = await lookup(hostname, { all: true, verbatim: true });
  return addresses.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

/** Options of {@link createGuardedConnector}. */
export interface GuardedConnectorOptions {
  policy: EgressPolicy;
  /** Default: {@link systemResolver}. */
  resolve?: HostResolver | undefined;
  /**
   * Options of undici's socket connector (TLS material — `secureContext`, `ca`, `servername`… — and `timeout`,
   * the TCP + TLS connect timeout), used when `connectSocket` is not given.
   */
  connectOptions?: buildConnector.BuildOptions | undefined;
  /** Opens the socket to an already checked address (default: undici's connector); tests count its calls. */
  connectSocket?: buildConnector.connector | undefined;
  /** Longest name resolution in milliseconds (default: `connectOptions.timeout`, else 10 000). */
  resolveTimeoutMs?: number | undefined;
}

// Errors after which the next resolved address is worth trying; anything else (timeouts, TLS) is final.
const TRY_NEXT_ADDRESS = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'EAFNOSUPPORT',
]);

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), timeoutMs);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * An undici `connect` function that enforces the egress policy on the address actually connected to, so
 * DNS rebinding cannot slip past it: the name is resolved once, EVERY address is checked (one refused address
 * refuses the destination), and the socket is opened to a checked address — never by name. TLS still
 * verifies the server certificate against the name in the URL (SNI and hostname check use it).
 *
 * A refusal fails the connection with an {@link EgressRefusedError} before any socket exists.
 *
 * @example
 * ```ts
 * const pool = new Pool('https://api.example.com', {
 *   connect: createGuardedConnector({ policy, connectOptions: { secureContext, timeout: 10_000 } }),
 * });
 * ```
 */
export function createGuardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const { policy } = options;
  const resolve = options.resolve ?? systemResolver;
  const connectSocket = options.connectSocket ?? buildConnector(options.connectOptions ?? {});
  const resolveTimeoutMs = options.resolveTimeoutMs ?? options.connectOptions?.timeout ?? 10_000;

  const resolveChecked = async (hostname: string, port: number): Promise<string[]> => {
    if (isIP(hostname) !== 0) {
      policy.assertAddressAllowed({ host: hostname, port, address: hostname });
      return [hostname];
    }
    const resolved = await withTimeout(
      resolve(hostname),
      resolveTimeoutMs,
      () => new errors.ConnectTimeoutError(`Resolving ${hostname} took longer than ${resolveTimeoutMs} ms.`),
    );
    const addresses = [...new Set(resolved.map((entry) => entry.address))];
    if (addresses.length === 0) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    }
    for (const address of addresses) policy.assertAddressAllowed({ host: hostname, port, address });
    return addresses;
  };

  return (connectOptions, callback) => {
    const port = Number(connectOptions.port) || (connectOptions.protocol === 'https:' ? 443 : 80);
    resolveChecked(connectOptions.hostname, port).then(
      (addresses) => {
        const attempt = (index: number) => {
          // `host` keeps the name, so undici's connector uses it for SNI and certificate verification.
          connectSocket({ ...connectOptions, hostname: addresses[index] ?? '' }, (error, socket) => {
            const code = (error as NodeJS.ErrnoException | null)?.code;
            if (error && index + 1 < addresses.length && code && TRY_NEXT_ADDRESS.has(code)) {
              attempt(index + 1);
              return;
            }
            if (error) callback(error, null);
            else callback(null, socket as NonNullable<typeof socket>);
          });
        };
        attempt(0);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
    );
  };
}
