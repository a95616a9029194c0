/**
 * What to do with a request no handler serves, without printing its body. MSW's own `'warn'` and `'error'`
 * strategies print the request body, which for this API is an upload's password and PKCS#12 file.
 */
import type { UnhandledRequestCallback } from 'msw';

/**
 * An `onUnhandledRequest` strategy like MSW's `'warn'` or `'error'` that names the method and URL of the
 * request but never prints its body. `'error'` fails the request as MSW's does (`fetch` rejects with a
 * network error). `setupMockServer().listen()` uses the `error` one by default.
 *
 * @example
 * ```ts
 * import { unhandledRequestWithoutBody } from '@mtls-gateway/mock-server';
 *
 * mock.listen({ onUnhandledRequest: unhandledRequestWithoutBody('warn') }); // warn, let the request through
 * ```
 */
export function unhandledRequestWithoutBody(strategy: 'warn' | 'error'): UnhandledRequestCallback {
  return (request) => {
    const url = new URL(request.url);
    const target = `${request.method} ${url.origin}${url.pathname}${url.search}`;
    const message = `[MSW] ${strategy === 'error' ? 'Error' : 'Warning'}: intercepted a request without a matching request handler:\n\n  • ${target}\n\nIts body is not shown (it may hold passwords or PKCS#12 files). If the mock should answer it, check the mock's baseUrl and operations options; else add a handler for it.`;
    if (strategy === 'warn') {
      console.warn(message);
      return;
    }
    console.error(message);
    // MSW answers a thrown Response with it: a network error fails the request, as its 'error' strategy does.
    throw Response.error();
  };
}
