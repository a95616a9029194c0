/**
 * Every resource method of a client, called with given per-call options, for tests that must hold for all
 * of them (per-call options, `withResponse`, hooks). `resourceMethodNames` lists what the client really has,
 * so a test can check that this table misses none. Test-only.
 */
import type { APIPromise } from '../api-promise.js';
import type { MtlsGatewayClient } from '../gateway-client.js';
import type { CallOptions } from '../types.js';

/**
 * One resource method, called with valid arguments.
 *
 * @example
 * ```ts
 * const list: ResourceCall = RESOURCE_CALLS[0]!;
 * await list.call(client, { timeoutMs: 100 });
 * ```
 */
export interface ResourceCall {
  /** Label of the case (`forward (POST)`). */
  name: string;
  /** The method's operation name, as hooks and the logger report it. */
  operation: string;
  /** Whether the transport may retry it. */
  idempotent: boolean;
  /** Answers of the remote (`forward`, `testP12`) are returned as-is rather than parsed. */
  passthrough: boolean;
  call(client: MtlsGatewayClient, options: CallOptions): APIPromise<unknown>;
}

const P12 = new Uint8Array([48, 130, 9, 169, 2, 1, 3]);
const TARGET = 'https://api.example.com/hooks';

/**
 * Each resource method once (`forward` twice: retried with GET, never with POST).
 *
 * @example
 * ```ts
 * it.each(RESOURCE_CALLS)('$name sends the headers', async ({ call }) => call(client, { headers }));
 * ```
 */
export const RESOURCE_CALLS: readonly ResourceCall[] = [
  {
    name: 'certificates.list',
    operation: 'certificates.list',
    idempotent: true,
    passthrough: false,
    call: (client, options) => client.certificates.list(options),
  },
  {
    name: 'certificates.get',
    operation: 'certificates.get',
    idempotent: true,
    passthrough: false,
    call: (client, options) => client.certificates.get(1, options),
  },
  {
    name: 'certificates.create',
    operation: 'certificates.create',
    idempotent: false,
    passthrough: false,
    call: (client, options) => client.certificates.create({ name: 'c', p12: P12, password: 'pw' }, options),
  },
  {
    name: 'certificates.createFromFile',
    operation: 'certificates.createFromFile',
    idempotent: false,
    passthrough: false,
    call: (client, options) =>
      client.certificates.createFromFile({ file: P12, name: 'c', password: 'pw' }, options),
  },
  {
    name: 'certificates.update',
    operation: 'certificates.update',
    idempotent: true,
    passthrough: false,
    call: (client, options) => client.certificates.update(1, { p12: P12, password: 'pw' }, options),
  },
  {
    name: 'certificates.updateFromFile',
    operation: 'certificates.updateFromFile',
    idempotent: true,
    passthrough: false,
    call: (client, options) =>
      client.certificates.updateFromFile({ id: 1, file: P12, password: 'pw' }, options),
  },
  {
    name: 'certificates.delete',
    operation: 'certificates.delete',
    idempotent: true,
    passthrough: false,
    call: (client, options) => client.certificates.delete(1, options),
  },
  {
    name: 'mappings.activate',
    operation: 'mappings.activate',
    idempotent: false,
    passthrough: false,
    call: (client, options) => client.mappings.activate(1, { serviceName: 'WEBHOOKS', url: TARGET }, options),
  },
  {
    name: 'mappings.list',
    operation: 'mappings.list',
    idempotent: true,
    passthrough: false,
    call: (client, options) => client.mappings.list(options),
  },
  {
    name: 'mappings.delete',
    operation: 'mappings.delete',
    idempotent: true,
    passthrough: false,
    call: (client, options) => client.mappings.delete(2, options),
  },
  {
    name: 'mappings.check',
    operation: 'mappings.check',
    idempotent: false,
    passthrough: false,
    call: (client, options) => client.mappings.check([{ serviceName: 'WEBHOOKS', url: TARGET }], options),
  },
  {
    name: 'forward (GET)',
    operation: 'forward',
    idempotent: true,
    passthrough: true,
    call: (client, options) => client.forward({ method: 'GET', url: TARGET, ...options }),
  },
  {
    name: 'forward (POST)',
    operation: 'forward',
    idempotent: false,
    passthrough: true,
    call: (client, options) => client.forward({ method: 'POST', url: TARGET, body: '{}', ...options }),
  },
  {
    name: 'testP12',
    operation: 'testP12',
    idempotent: false,
    passthrough: true,
    call: (client, options) => client.testP12({ file: P12, password: 'pw', url: TARGET, ...options }),
  },
];

/**
 * The resource methods a client has, as operation names: the functions of `certificates` and `mappings`,
 * and the client's own functions other than `forAccount`.
 *
 * @example
 * ```ts
 * resourceMethodNames(client); // ['certificates.list', …, 'mappings.check', 'forward', 'testP12']
 * ```
 */
export function resourceMethodNames(client: MtlsGatewayClient): string[] {
  const functionsOf = (object: object, prefix: string) =>
    Object.entries(object)
      .filter(([, value]) => typeof value === 'function')
      .map(([name]) => `${prefix}${name}`);
  return [
    ...functionsOf(client.certificates, 'certificates.'),
    ...functionsOf(client.mappings, 'mappings.'),
    ...functionsOf(client, '').filter((name) => name !== 'forAccount'),
  ];
}
