/**
 * Copies headers entry by entry. `new Headers(request.headers)` would be shorter, but under msw/node's
 * request interception it keeps only `Content-Type` of a request with a body — and MSW is how our users test.
 *
 * @example
 * ```ts
 * const headers = copyHeaders(request.headers);
 * ```
 */
export function copyHeaders(source: Headers): Headers {
  const copy = new Headers();
  source.forEach((value, name) => {
    copy.append(name, value);
  });
  return copy;
}
