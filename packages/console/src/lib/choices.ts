/**
 * The values the console offers in its pickers, typed by the SDK's unions (themselves generated from the
 * spec): adding or removing a value in the spec breaks this file's compilation until it follows.
 */
import type { ForwardMethod, P12TestMethod, ServiceName } from '@mtls-gateway/sdk';

/** Every documented service, with what it is for (`Record` over the union: none missing, none extra). */
const SERVICE_DESCRIPTIONS: Record<ServiceName, string> = {
  TEST_SERVICE: 'tests and demos',
  IDP: 'identity provider calls',
  WEBHOOKS: 'webhooks to your endpoints',
  FAAS: 'LivePerson Functions',
};

export const SERVICE_NAMES = Object.keys(SERVICE_DESCRIPTIONS) as ServiceName[];

export function describeService(serviceName: string): string | undefined {
  return (SERVICE_DESCRIPTIONS as Record<string, string>)[serviceName];
}

const FORWARD_METHOD_SET: Record<ForwardMethod, true> = {
  GET: true,
  POST: true,
  PUT: true,
  PATCH: true,
  DELETE: true,
  HEAD: true,
};

/** The methods `client.forward` sends. */
export const FORWARD_METHODS = Object.keys(FORWARD_METHOD_SET) as ForwardMethod[];

const P12_TEST_METHOD_SET: Record<P12TestMethod, true> = { ...FORWARD_METHOD_SET, OPTIONS: true };

/** The methods of the p12 test's call to the target. */
export const P12_TEST_METHODS = Object.keys(P12_TEST_METHOD_SET) as P12TestMethod[];

/** Methods whose request may carry a body. */
export function methodTakesBody(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}
