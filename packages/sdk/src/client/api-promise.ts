/**
 * `APIPromise`: what every resource method returns — a real Promise of the data, plus `.withResponse()` for
 * the raw `Response` and the gateway's request id (the Stainless pattern).
 */

/**
 * The data of a call with the answer it came from.
 *
 * @example
 * ```ts
 * const { data, response, requestId }: WithResponse<Certificate[]> = await client.certificates.list().withResponse();
 * ```
 */
export interface WithResponse<T> {
  /** What awaiting the call gives (for `forward` and `testP12`, the same object as `response`). */
  data: T;
  /** The gateway's answer; its body is already read, except for `forward` and `testP12`. */
  response: Response;
  /** The answer's `X-Request-Id`, to quote when reporting a problem. */
  requestId: string | undefined;
}

/**
 * A Promise of a call's data that also offers `.withResponse()`. Awaiting it, `.then()`, `Promise.all` …
 * behave as for any Promise (and give plain Promises).
 *
 * @example
 * ```ts
 * const certificates = await client.certificates.list();
 * const { data, requestId } = await client.certificates.list().withResponse();
 * ```
 */
export interface APIPromise<T> extends Promise<T> {
  /** The data, the `Response` and the `X-Request-Id` of the call (the same call: nothing is sent again). */
  withResponse(): Promise<WithResponse<T>>;
}

/**
 * The APIPromise of a call whose outcome is `settled`.
 *
 * @example
 * ```ts
 * return apiPromise(send().then((response) => ({ data: response, response, requestId: undefined })));
 * ```
 */
export function apiPromise<T>(settled: Promise<WithResponse<T>>): APIPromise<T> {
  const data = settled.then((result) => result.data) as APIPromise<T>;
  data.withResponse = () => {
    // Whoever asks for the response handles the failure there: the data promise must not report it unhandled.
    data.catch(() => {});
    return settled;
  };
  return data;
}
