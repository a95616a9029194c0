// Opens one PKCS#12 file. A thread of the P12WorkerPool runs this module (piscina calls its default export);
// without a pool it runs on the caller's thread. Keep its imports to the SDK: every worker thread loads them.
import {
  assertCertificateCurrent,
  P12Error,
  type P12ErrorCode,
  type ParsedP12,
  parseP12,
} from '@mtls-gateway/sdk/p12';

/**
 * One file to open. Crosses to a worker thread by structured clone.
 *
 * @example
 * ```ts
 * const task: OpenP12Task = { bytes, password: 'changeit', now: new Date(), allowExpired: false };
 * ```
 */
export interface OpenP12Task {
  bytes: Uint8Array;
  /** Opens the file; never stored. */
  password: string;
  /** The instant validity is checked for. */
  now: Date;
  /** Accept a certificate outside its validity period. */
  allowExpired: boolean;
}

/**
 * What opening a file gave: the identity, or the `p12_*` refusal (a P12Error does not survive the trip
 * back from a worker thread as its class, so it travels as its code and message).
 *
 * @example
 * ```ts
 * const result = openP12(task);
 * if (!result.ok) console.log(result.code); // 'p12_wrong_password'
 * ```
 */
export type OpenP12Result =
  | { ok: true; parsed: ParsedP12 }
  | { ok: false; code: P12ErrorCode; message: string };

/**
 * Opens `task.bytes` with the SDK's `parseP12` (and its key-derivation budget) and checks the validity
 * period unless `allowExpired`. Errors other than `P12Error`s (bugs) are thrown.
 *
 * @example
 * ```ts
 * const result = openP12({ bytes, password: 'changeit', now: new Date(), allowExpired: false });
 * if (result.ok) console.log(result.parsed.subject);
 * ```
 */
export function openP12(task: OpenP12Task): OpenP12Result {
  try {
    const parsed = parseP12(task.bytes, task.password, { now: task.now });
    if (!task.allowExpired) assertCertificateCurrent(parsed, task.now);
    return { ok: true, parsed };
  } catch (error) {
    if (error instanceof P12Error) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

export default openP12;
