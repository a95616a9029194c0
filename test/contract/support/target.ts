/**
 * A target of the contract suite: an implementation of the API (the reference server on PGlite or
 * PostgreSQL, the mocks, Prism, or a deployment) that the same scenarios run against, unchanged.
 */
import type { ExtraResponseCheck } from './recorder.js';

/**
 * What a scenario may need beyond the API itself. A target that lacks one says why (the scenario is then
 * skipped with that reason); everything else must behave as the spec says.
 */
export type Capability =
  /** Writes are seen by later reads (create → get → list). */
  | 'stateful'
  /** Answers 401 when the `Authorization` header is missing. */
  | 'authentication'
  /** Refuses a wrong credential with 401 (not only a missing one). */
  | 'credentialCheck'
  /** A read-only token gets 403 on writes; a token gets 403 on another account. */
  | 'permissions'
  /** `rateLimitedBaseUrl`: the same gateway with a small per-IP limit, to see 429. */
  | 'rateLimit'
  /** Forwarding and the p12 test are served. */
  | 'forwarding'
  /** `upstream.url` answers (2xx) when a request is forwarded to it. */
  | 'forwardTarget'
  /** The upstream speaks the contract upstream protocol (echo, `?status=`; see `upstream.ts`). */
  | 'upstream'
  /** `upstream.unreachableUrl` fails at the transport level (424). */
  | 'transportFailure'
  /** Reached over real sockets (`node:http`): a GET with a body, the connection after a 413. */
  | 'rawHttp'
  /** Forwards the body of a GET as-is (Fetch `Request`s cannot carry one). */
  | 'getBody'
  /** Carries `HEAD` requests (forwardHead). */
  | 'head'
  /** Carries binary multipart parts (the PKCS#12 `file`) byte for byte. */
  | 'binaryMultipart'
  /** Reads a JSON `certificate` part of a multipart body (its part `Content-Type: application/json`). */
  | 'multipartJsonPart'
  /** Reads PKCS#12 files (wrong password, expired → 400 `p12_*`). */
  | 'p12Validation'
  /** Invalid requests reach the implementation (and get its 400 / 413 / 415 problems). */
  | 'requestValidation'
  /** `limits.bodyBytes` is known: a larger body gets 413. */
  | 'payloadLimit';

/** What a started target gives the scenarios. */
export interface ContractEnvironment {
  /** The gateway's base URL (no trailing slash). */
  baseUrl: string;
  accountId: string;
  /** A Bearer token with `MTLS_READ_INTERNAL` and `MTLS_WRITE_INTERNAL` on `accountId` (only). */
  token: string;
  /**
   * A token with read and write on every account (`*`), for the negative tests: with it a malformed account
   * id is answered 400, not 403 for being another account.
   */
  allAccountsToken?: string | undefined;
  /** A Bearer token with `MTLS_READ_INTERNAL` only, on `accountId` (capability `permissions`). */
  readOnlyToken?: string | undefined;
  /** An account `token` is not scoped to (capability `permissions`). */
  otherAccountId?: string | undefined;
  /** How requests reach the target (default: the global `fetch`, which MSW patches in-process). */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  /** The contract upstream (capability `upstream`). */
  upstream?: { url: string; unreachableUrl?: string | undefined } | undefined;
  /** The same gateway with a per-IP rate limit of 1 request per second (capability `rateLimit`). */
  rateLimitedBaseUrl?: string | undefined;
  /** Limits of the target (capability `payloadLimit`). */
  limits?: { bodyBytes: number } | undefined;
  /** A check the target adds to every answer (the Prism proxy: no `sl-violations`). */
  extraCheck?: ExtraResponseCheck | undefined;
  /** Capabilities this target lacks, each with the reason. */
  unsupported: Partial<Record<Capability, string>>;
  /** Operations the target cannot carry (by operationId), each with the reason: the sweeps leave them out. */
  unsupportedOperations?: Record<string, string> | undefined;
  /** Skips of single scenarios (by name), each with the reason. */
  skipScenarios?: Record<string, string> | undefined;
}

export interface Target {
  /** Names the target in test names: `reference server (PGlite)`, `MSW mock (in-process)`… */
  name: string;
  start(): Promise<ContractEnvironment>;
  stop(): Promise<void>;
}

/** Whether the suite runs against a deployment (`MTLS_CONTRACT_BASE_URL` set): then nothing is started. */
export const deploymentMode = Boolean(process.env.MTLS_CONTRACT_BASE_URL);
