/**
 * This file is generated from openapi/mtls.yaml by `pnpm generate` (openapi-typescript). Do not edit it by hand.
 */

export interface paths {
    "/mtls/account/{accountId}": {
        parameters: {
            query?: never;
            header: {
                /**
                 * @description The desired endpoint URL of the client: the complete target URL, query included. Only `http` and `https` URLs are accepted, and the resolved address must pass the egress policy (SSRF guard).
                 * @example https://api.example.com/hooks?tenant=42
                 */
                "LP-forward-url": components["parameters"]["LpForwardUrl"];
                /**
                 * @description The service whose certificate applies. Documented values are `TEST_SERVICE`, `IDP` and `WEBHOOKS`; LivePerson Functions sends `FAAS`. Without it, a mapping of the URL under any service name is used when exactly one exists.
                 * @example WEBHOOKS
                 */
                "LP-service-name"?: components["parameters"]["LpServiceName"];
                /**
                 * @description Becomes the `Authorization` header sent to the target (the caller's own is never forwarded).
                 * @example Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl
                 */
                "LP-authorization-override"?: components["parameters"]["LpAuthorizationOverride"];
                /**
                 * @description When `true` and no certificate applies, nothing is sent and the answer is 400 `certificate_not_found`. When `false` (the default) such a request goes out over plain TLS.
                 * @example true
                 */
                "LP-stop-if-certificate-not-found"?: components["parameters"]["LpStopIfCertificateNotFound"];
            };
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        /**
         * Forward a GET request
         * @description Wraps and forwards the request according to the `LP-*` request headers: the gateway repeats the incoming
         *     method against the URL in `LP-forward-url`, with the incoming body as-is, presenting the client
         *     certificate mapped to account + `LP-service-name` + the complete URL (including its query parameters —
         *     the entire URL is checked). When no certificate is mapped, the request goes out over plain TLS, unless
         *     `LP-stop-if-certificate-not-found: true`, in which case nothing is sent and the answer is 400
         *     `certificate_not_found`.
         *
         *     The remote status, headers and body are returned as-is: every status code the remote endpoint returns
         *     can come back. The caller's `Authorization` header is never forwarded; `LP-authorization-override`
         *     becomes the `Authorization` header sent to the target. When the remote cannot be reached the answer is
         *     424 with `LP-message-from-transport` and `LP-error-from-transport`; when it answers with a status that
         *     cannot be passed on (outside 200–599, or `101 Switching Protocols`, which the gateway does not tunnel)
         *     the answer is 502 `bad_gateway`.
         *
         *     The caller's `X-Forwarded-For`, `X-Forwarded-Host`, `X-Forwarded-Proto`, `X-Real-IP` and `Forwarded`
         *     headers are not forwarded: the gateway sends its own `X-Forwarded-For: <client address>` and
         *     `Forwarded: for=<client address>;proto=<http|https>`. The remote's `LP-gateway-error`,
         *     `LP-*-from-transport` and `X-Request-Id` headers are not returned (`X-Request-Id` is the gateway's).
         */
        get: operations["forwardGet"];
        /**
         * Forward a PUT request
         * @description Wraps and forwards the request according to the `LP-*` request headers: the gateway repeats the incoming
         *     method against the URL in `LP-forward-url`, with the incoming body as-is, presenting the client
         *     certificate mapped to account + `LP-service-name` + the complete URL (including its query parameters —
         *     the entire URL is checked). When no certificate is mapped, the request goes out over plain TLS, unless
         *     `LP-stop-if-certificate-not-found: true`, in which case nothing is sent and the answer is 400
         *     `certificate_not_found`.
         *
         *     The remote status, headers and body are returned as-is: every status code the remote endpoint returns
         *     can come back. The caller's `Authorization` header is never forwarded; `LP-authorization-override`
         *     becomes the `Authorization` header sent to the target. When the remote cannot be reached the answer is
         *     424 with `LP-message-from-transport` and `LP-error-from-transport`; when it answers with a status that
         *     cannot be passed on (outside 200–599, or `101 Switching Protocols`, which the gateway does not tunnel)
         *     the answer is 502 `bad_gateway`.
         *
         *     The caller's `X-Forwarded-For`, `X-Forwarded-Host`, `X-Forwarded-Proto`, `X-Real-IP` and `Forwarded`
         *     headers are not forwarded: the gateway sends its own `X-Forwarded-For: <client address>` and
         *     `Forwarded: for=<client address>;proto=<http|https>`. The remote's `LP-gateway-error`,
         *     `LP-*-from-transport` and `X-Request-Id` headers are not returned (`X-Request-Id` is the gateway's).
         */
        put: operations["forwardPut"];
        /**
         * Forward a POST request
         * @description Wraps and forwards the request according to the `LP-*` request headers: the gateway repeats the incoming
         *     method against the URL in `LP-forward-url`, with the incoming body as-is, presenting the client
         *     certificate mapped to account + `LP-service-name` + the complete URL (including its query parameters —
         *     the entire URL is checked). When no certificate is mapped, the request goes out over plain TLS, unless
         *     `LP-stop-if-certificate-not-found: true`, in which case nothing is sent and the answer is 400
         *     `certificate_not_found`.
         *
         *     The remote status, headers and body are returned as-is: every status code the remote endpoint returns
         *     can come back. The caller's `Authorization` header is never forwarded; `LP-authorization-override`
         *     becomes the `Authorization` header sent to the target. When the remote cannot be reached the answer is
         *     424 with `LP-message-from-transport` and `LP-error-from-transport`; when it answers with a status that
         *     cannot be passed on (outside 200–599, or `101 Switching Protocols`, which the gateway does not tunnel)
         *     the answer is 502 `bad_gateway`.
         *
         *     The caller's `X-Forwarded-For`, `X-Forwarded-Host`, `X-Forwarded-Proto`, `X-Real-IP` and `Forwarded`
         *     headers are not forwarded: the gateway sends its own `X-Forwarded-For: <client address>` and
         *     `Forwarded: for=<client address>;proto=<http|https>`. The remote's `LP-gateway-error`,
         *     `LP-*-from-transport` and `X-Request-Id` headers are not returned (`X-Request-Id` is the gateway's).
         */
        post: operations["forwardPost"];
        /**
         * Forward a DELETE request
         * @description Wraps and forwards the request according to the `LP-*` request headers: the gateway repeats the incoming
         *     method against the URL in `LP-forward-url`, with the incoming body as-is, presenting the client
         *     certificate mapped to account + `LP-service-name` + the complete URL (including its query parameters —
         *     the entire URL is checked). When no certificate is mapped, the request goes out over plain TLS, unless
         *     `LP-stop-if-certificate-not-found: true`, in which case nothing is sent and the answer is 400
         *     `certificate_not_found`.
         *
         *     The remote status, headers and body are returned as-is: every status code the remote endpoint returns
         *     can come back. The caller's `Authorization` header is never forwarded; `LP-authorization-override`
         *     becomes the `Authorization` header sent to the target. When the remote cannot be reached the answer is
         *     424 with `LP-message-from-transport` and `LP-error-from-transport`; when it answers with a status that
         *     cannot be passed on (outside 200–599, or `101 Switching Protocols`, which the gateway does not tunnel)
         *     the answer is 502 `bad_gateway`.
         *
         *     The caller's `X-Forwarded-For`, `X-Forwarded-Host`, `X-Forwarded-Proto`, `X-Real-IP` and `Forwarded`
         *     headers are not forwarded: the gateway sends its own `X-Forwarded-For: <client address>` and
         *     `Forwarded: for=<client address>;proto=<http|https>`. The remote's `LP-gateway-error`,
         *     `LP-*-from-transport` and `X-Request-Id` headers are not returned (`X-Request-Id` is the gateway's).
         */
        delete: operations["forwardDelete"];
        options?: never;
        /**
         * Forward a HEAD request
         * @description Wraps and forwards the request according to the `LP-*` request headers: the gateway repeats the incoming
         *     method against the URL in `LP-forward-url`, with the incoming body as-is, presenting the client
         *     certificate mapped to account + `LP-service-name` + the complete URL (including its query parameters —
         *     the entire URL is checked). When no certificate is mapped, the request goes out over plain TLS, unless
         *     `LP-stop-if-certificate-not-found: true`, in which case nothing is sent and the answer is 400
         *     `certificate_not_found`.
         *
         *     The remote status, headers and body are returned as-is: every status code the remote endpoint returns
         *     can come back. The caller's `Authorization` header is never forwarded; `LP-authorization-override`
         *     becomes the `Authorization` header sent to the target. When the remote cannot be reached the answer is
         *     424 with `LP-message-from-transport` and `LP-error-from-transport`; when it answers with a status that
         *     cannot be passed on (outside 200–599, or `101 Switching Protocols`, which the gateway does not tunnel)
         *     the answer is 502 `bad_gateway`.
         *
         *     The caller's `X-Forwarded-For`, `X-Forwarded-Host`, `X-Forwarded-Proto`, `X-Real-IP` and `Forwarded`
         *     headers are not forwarded: the gateway sends its own `X-Forwarded-For: <client address>` and
         *     `Forwarded: for=<client address>;proto=<http|https>`. The remote's `LP-gateway-error`,
         *     `LP-*-from-transport` and `X-Request-Id` headers are not returned (`X-Request-Id` is the gateway's).
         */
        head: operations["forwardHead"];
        /**
         * Forward a PATCH request
         * @description Wraps and forwards the request according to the `LP-*` request headers: the gateway repeats the incoming
         *     method against the URL in `LP-forward-url`, with the incoming body as-is, presenting the client
         *     certificate mapped to account + `LP-service-name` + the complete URL (including its query parameters —
         *     the entire URL is checked). When no certificate is mapped, the request goes out over plain TLS, unless
         *     `LP-stop-if-certificate-not-found: true`, in which case nothing is sent and the answer is 400
         *     `certificate_not_found`.
         *
         *     The remote status, headers and body are returned as-is: every status code the remote endpoint returns
         *     can come back. The caller's `Authorization` header is never forwarded; `LP-authorization-override`
         *     becomes the `Authorization` header sent to the target. When the remote cannot be reached the answer is
         *     424 with `LP-message-from-transport` and `LP-error-from-transport`; when it answers with a status that
         *     cannot be passed on (outside 200–599, or `101 Switching Protocols`, which the gateway does not tunnel)
         *     the answer is 502 `bad_gateway`.
         *
         *     The caller's `X-Forwarded-For`, `X-Forwarded-Host`, `X-Forwarded-Proto`, `X-Real-IP` and `Forwarded`
         *     headers are not forwarded: the gateway sends its own `X-Forwarded-For: <client address>` and
         *     `Forwarded: for=<client address>;proto=<http|https>`. The remote's `LP-gateway-error`,
         *     `LP-*-from-transport` and `X-Request-Id` headers are not returned (`X-Request-Id` is the gateway's).
         */
        patch: operations["forwardPatch"];
        trace?: never;
    };
    "/mtls/account/{accountId}/p12-test/multipart": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Test a PKCS#12 file against an endpoint
         * @description Before uploading a certificate, this resource allows you to test that the P12 and the corresponding
         *     endpoint are correct and working through the gateway. The file is validated like an upload (400 with
         *     the precise `code` when it is unusable), then the URL in `LP-forward-url` is called with that
         *     certificate — with `POST` unless `LP-method-override` says otherwise — and the answer is returned as-is
         *     (as if the forward URL had been contacted directly). Nothing is stored.
         */
        post: operations["testP12"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mtls/account/{accountId}/certificates": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        /**
         * List certificates
         * @description Lists the account's certificates. Soft-deleted certificates are left out unless `includeDeleted=true`.
         *     `status` is computed when read: `Available` when the certificate exists in both the secret store and the
         *     database (its key material was written to the secret store; the list reads the database only, so its
         *     cost does not grow with key material and it answers while the secret store is down) and is not
         *     expired, `Expired` past its expiration date, `UnAvailable` otherwise.
         */
        get: operations["listCertificates"];
        /**
         * Replace certificates (ids in the body)
         * @description Replaces the file (and optionally the name) of existing certificates; each item of the JSON array
         *     carries the `id` of the certificate it replaces. Same validation as the upload. This form appears in
         *     later documentation; `PUT /certificates/{certificateId}` is the canonical one.
         */
        put: operations["updateCertificates"];
        /**
         * Upload certificates
         * @description Uploads one or more PKCS#12 files. The body is a JSON array; each item holds the certificate `name`
         *     (unique per account), the file as `p12` — an array of byte values (`[48, 130, 9, …]`) or a base64
         *     string — and its `password`. The password must open the file, which must hold exactly one private key
         *     and the certificate that matches it (the chain is kept). Expired or not-yet-valid certificates are
         *     refused unless `allowExpired=true`. The password is not stored; the key and chain are stored encrypted.
         */
        post: operations["createCertificates"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mtls/account/{accountId}/certificates/{certificateId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
                /**
                 * @description The generated certificate id.
                 * @example 3515906310
                 */
                certificateId: components["parameters"]["CertificateId"];
            };
            cookie?: never;
        };
        /**
         * Get a certificate
         * @description Returns one certificate of the account, soft-deleted ones included.
         */
        get: operations["getCertificate"];
        /**
         * Replace a certificate
         * @description Replaces the file (and optionally the name) of the certificate. Same validation as the upload; an `id`
         *     in the body, when given, must equal the one in the path. The certificate's `version` goes up and every
         *     request forwarded afterwards presents the new certificate.
         */
        put: operations["updateCertificate"];
        post?: never;
        /**
         * Delete a certificate
         * @description Soft-deletes the certificate: it stays readable (`deleted: true`), its key material is removed from the
         *     secret store, its mappings are disabled and it is never presented again. The name becomes free.
         */
        delete: operations["deleteCertificate"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mtls/account/{accountId}/certificates/byFile": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        get?: never;
        /**
         * Replace a certificate with a file
         * @description Replaces a certificate's file with multipart form data: the `file` part holds the file and the
         *     `certificate` part holds JSON `{"id", "name", "password"}` (plain `id`, `name` and `password` fields are
         *     accepted instead, but not both ways in one form). Same validation and answer as
         *     `PUT /certificates/{certificateId}`.
         */
        put: operations["updateCertificateFromFile"];
        /**
         * Upload a certificate file
         * @description Uploads a PKCS#12 file as multipart form data: the `file` part holds the file and the `certificate`
         *     part holds JSON `{"name", "password"}` (plain `name` and `password` fields are accepted instead, but
         *     not both ways in one form). Same validation and answer as `POST /certificates`.
         */
        post: operations["createCertificateFromFile"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mtls/account/{accountId}/certificates/by-file": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        get?: never;
        /**
         * Replace a certificate with a file (alias of byFile)
         * @description Replaces a certificate's file with multipart form data: the `file` part holds the file and the
         *     `certificate` part holds JSON `{"id", "name", "password"}` (plain `id`, `name` and `password` fields are
         *     accepted instead, but not both ways in one form). Same validation and answer as
         *     `PUT /certificates/{certificateId}`.
         */
        put: operations["updateCertificateFromFileAlias"];
        /**
         * Upload a certificate file (alias of byFile)
         * @description Uploads a PKCS#12 file as multipart form data: the `file` part holds the file and the `certificate`
         *     part holds JSON `{"name", "password"}` (plain `name` and `password` fields are accepted instead, but
         *     not both ways in one form). Same validation and answer as `POST /certificates`.
         */
        post: operations["createCertificateFromFileAlias"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mtls/account/{accountId}/certificates/activate/{certificateId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
                /**
                 * @description The generated certificate id.
                 * @example 3515906310
                 */
                certificateId: components["parameters"]["CertificateId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Map a certificate to a service and URL
         * @description Makes the certificate the one presented for account + `serviceName` + `url`. The URL must be complete,
         *     including any URL parameters: the entire URL is checked when forwarding. A `url` ending in `*` is a
         *     prefix (extension): it matches a URL that starts with the part before the `*`, has the same origin
         *     (scheme, host and port) and continues at a boundary — the prefix ends with `/` or holds a `?`, or the
         *     rest of the URL is empty or starts with `/`, `?` or `#`. So `https://api.example.com*` matches
         *     `https://api.example.com/v1` but never `https://api.example.com.attacker.tld/` or
         *     `https://api.example.com:8443/`. One certificate may serve many mappings; each
         *     account + service + URL has at most one certificate (409 `mapping_conflict`). With
         *     `isValidateUrlEnabled=true` a real test call with the certificate is made first; when it fails the
         *     answer is 424 and nothing is stored.
         */
        post: operations["activateMapping"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mtls/account/{accountId}/mappings": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        /**
         * List mappings
         * @description Lists the account's mappings (deleted ones left out).
         */
        get: operations["listMappings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mtls/account/{accountId}/mappings/{mappingId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
                /**
                 * @description The generated mapping id.
                 * @example 7340032010
                 */
                mappingId: components["parameters"]["MappingId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete a mapping
         * @description Deletes the mapping; requests to its URL go out without its certificate from then on.
         */
        delete: operations["deleteMapping"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/account/{accountId}/checks/serviceUrlMappings": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Check which service + URL pairs have a certificate
         * @description For each `{serviceName, url}` pair, answers whether an enabled mapping exists for the account (the same
         *     match as forwarding: exact URL, or a `*` prefix mapping of the same origin ending at a boundary).
         */
        post: operations["checkMappings"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness
         * @description Answers 200 while the process runs. No credentials needed.
         */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness
         * @description Answers 200 when the database and the secret store are reachable, 503 otherwise (one check per second
         *     at most; later calls reuse its result). On the API port it needs a credential with
         *     `MTLS_READ_INTERNAL`; the operator listener (`MTLS_OPS_PORT`) serves it without credentials.
         */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics
         * @description Prometheus text exposition: requests by route and status, latency histograms, certificates by status,
         *     seconds until each certificate expires, upstream latency and outcome, connection pools, SSRF refusals.
         *     It names every account's certificates, so on the API port it needs a credential for every account
         *     (`*`) with `MTLS_READ_INTERNAL` (any other credential gets 403); the operator listener
         *     (`MTLS_OPS_PORT`) serves it without credentials.
         */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * API reference
         * @description An HTML page rendering this document.
         */
        get: operations["getApiReference"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.yaml": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This document
         * @description The OpenAPI document the server implements, bundled into one file.
         */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description LP site ID.
         * @example le1606809
         */
        AccountId: string;
        /**
         * Format: int64
         * @description A generated id (random positive integer below 2^53, safe in JSON).
         * @example 3515906310
         */
        Id: number;
        /**
         * @description A generated id as it appears in a path.
         * @example 3515906310
         */
        IdString: string;
        /**
         * @description The service a certificate serves. Documented values: `TEST_SERVICE`, `IDP`, `WEBHOOKS`; LivePerson Functions uses `FAAS`.
         * @enum {string}
         */
        ServiceName: "TEST_SERVICE" | "IDP" | "WEBHOOKS" | "FAAS";
        /**
         * Format: uri
         * @description A complete `http` or `https` URL, query included.
         * @example https://api.example.com/hooks?tenant=42
         */
        TargetUrl: string;
        /**
         * @description A complete `http` or `https` URL, query included; a trailing `*` makes it a prefix of the same origin, ending at `/`, `?`, `#` or the end of the URL unless the prefix itself ends with `/` or holds a `?` (extension).
         * @example https://api.example.com/hooks?tenant=42
         * @example https://api.example.com/v2/*
         */
        MappingUrl: string;
        /**
         * @description The certificate name, unique per account.
         * @example Cert1
         */
        CertificateName: string;
        /**
         * @description The password of the PKCS#12 file (may be empty). Never stored.
         * @example changeit
         */
        P12Password: string;
        /** @description The PKCS#12 file, as an array of byte values (as documented) or as a base64 string. */
        P12Bytes: number[] | string;
        /**
         * @description `Available`: in both the secret store and the database and not expired. `Expired`: past its expiration date. `UnAvailable`: otherwise (key material missing, deleted, or not yet valid).
         * @enum {string}
         */
        CertificateStatus: "Available" | "UnAvailable" | "Expired";
        /**
         * Format: date-time
         * @example 2027-06-30T12:00:00.000Z
         */
        Timestamp: string;
        /** @description A client certificate of the account. */
        Certificate: {
            id: components["schemas"]["Id"];
            /** @description Whether the certificate is (soft) deleted. */
            deleted: boolean;
            name: components["schemas"]["CertificateName"];
            displayName: components["schemas"]["CertificateName"];
            siteId: components["schemas"]["AccountId"];
            status: components["schemas"]["CertificateStatus"];
            /** @description When the certificate expires (its notAfter), or null when unknown. */
            expirationDate: components["schemas"]["Timestamp"] | null;
            /** @description When the certificate becomes valid. */
            notBefore?: components["schemas"]["Timestamp"] | null;
            /** @description The certificate subject (RFC 4514). */
            subject?: string;
            /** @description The certificate issuer (RFC 4514). */
            issuer?: string;
            /** @description The serial number in hexadecimal. */
            serialNumber?: string;
            /** @description SHA-256 fingerprint of the certificate (DER), colon-separated uppercase hex. */
            fingerprintSha256?: string;
            /**
             * Format: int32
             * @description Goes up by one each time the certificate's file is replaced.
             */
            version?: number;
        };
        CertificateList: components["schemas"]["Certificate"][];
        /** @description The outcome of a create or update (the misspelling is the real wire name). */
        CertificateSaveResult: {
            successfulySavedCertificates: components["schemas"]["Certificate"][];
            failedSaveToVaultCertificates: components["schemas"]["Certificate"][];
        };
        /** @description A certificate to upload. */
        CertificateUpload: {
            name: components["schemas"]["CertificateName"];
            p12: components["schemas"]["P12Bytes"];
            password: components["schemas"]["P12Password"];
        };
        CertificateUploadList: components["schemas"]["CertificateUpload"][];
        /** @description A replacement file for the certificate with this id. */
        CertificateUpdate: {
            id: components["schemas"]["Id"];
            name?: components["schemas"]["CertificateName"];
            p12: components["schemas"]["P12Bytes"];
            password: components["schemas"]["P12Password"];
        };
        CertificateUpdateList: components["schemas"]["CertificateUpdate"][];
        /** @description A replacement file for the certificate in the path (an `id`, if given, must match it). */
        CertificateReplacement: {
            id?: components["schemas"]["Id"];
            name?: components["schemas"]["CertificateName"];
            p12: components["schemas"]["P12Bytes"];
            password: components["schemas"]["P12Password"];
        };
        /**
         * Format: binary
         * @description A PKCS#12 file (binary).
         */
        P12File: string;
        /** @description The `certificate` part of a file upload. */
        CertificateFileMetadata: {
            name: components["schemas"]["CertificateName"];
            password: components["schemas"]["P12Password"];
        };
        /** @description The `certificate` part of a file replacement. */
        CertificateFileReplacementMetadata: {
            id: components["schemas"]["Id"];
            name?: components["schemas"]["CertificateName"];
            password: components["schemas"]["P12Password"];
        };
        /** @description Multipart form of a file upload, in one of two shapes: `file` and a JSON `certificate` part (the documented one), or `file` with plain `name` and `password` fields. A form that mixes them is refused. */
        CertificateFileForm: components["schemas"]["CertificateFileJsonForm"] | components["schemas"]["CertificateFilePlainForm"];
        /** @description A file upload with the name and password in a JSON `certificate` part. */
        CertificateFileJsonForm: {
            file: components["schemas"]["P12File"];
            certificate: components["schemas"]["CertificateFileMetadata"];
        };
        /** @description A file upload with the name and password as plain form fields. */
        CertificateFilePlainForm: {
            file: components["schemas"]["P12File"];
            name: components["schemas"]["CertificateName"];
            password: components["schemas"]["P12Password"];
        };
        /** @description Multipart form of a file replacement, in one of two shapes: `file` and a JSON `certificate` part with the `id` (the documented one), or `file` with plain `id`, `password` and (optionally) `name` fields. A form that mixes them is refused. */
        CertificateFileReplacementForm: components["schemas"]["CertificateFileReplacementJsonForm"] | components["schemas"]["CertificateFileReplacementPlainForm"];
        /** @description A file replacement with the id, password and name in a JSON `certificate` part. */
        CertificateFileReplacementJsonForm: {
            file: components["schemas"]["P12File"];
            certificate: components["schemas"]["CertificateFileReplacementMetadata"];
        };
        /** @description A file replacement with the id, password and name as plain form fields. */
        CertificateFileReplacementPlainForm: {
            file: components["schemas"]["P12File"];
            id: components["schemas"]["IdString"];
            name?: components["schemas"]["CertificateName"];
            password: components["schemas"]["P12Password"];
        };
        /** @description Multipart form of the p12 test. */
        P12TestForm: {
            file: components["schemas"]["P12File"];
            password: components["schemas"]["P12Password"];
            /**
             * Format: binary
             * @description The body sent to the target (not required).
             */
            body?: string;
        };
        /** @description The service and URL a certificate serves. */
        MappingTarget: {
            serviceName: components["schemas"]["ServiceName"];
            url: components["schemas"]["MappingUrl"];
        };
        /** @description A certificate serving a service and URL of the account. */
        Mapping: {
            id: components["schemas"]["Id"];
            /** @description Whether the mapping is deleted. */
            deleted: boolean;
            url: components["schemas"]["MappingUrl"];
            /** @description Whether the mapping is in force (false once its certificate is deleted). */
            enable: boolean;
            serviceName: components["schemas"]["ServiceName"];
            siteId: components["schemas"]["AccountId"];
            name: components["schemas"]["CertificateName"];
            certificationId: components["schemas"]["Id"];
        };
        MappingList: components["schemas"]["Mapping"][];
        MappingCheckRequest: components["schemas"]["MappingTarget"][];
        /** @description Whether a mapping exists for the service and URL. */
        MappingCheck: {
            serviceName: components["schemas"]["ServiceName"];
            url: components["schemas"]["MappingUrl"];
            exist: boolean;
        };
        MappingCheckResult: components["schemas"]["MappingCheck"][];
        /**
         * @description The id of the request in the gateway's logs.
         * @example req-7f3c2a
         */
        RequestId: string;
        /**
         * @description A stable, machine-readable problem code (see the table in the API description). Clients should accept codes they do not know yet: a newer gateway may add some.
         * @example invalid_request
         */
        ProblemCode: string;
        /** @description An RFC 9457 problem detail, as every answer the gateway makes itself. */
        Problem: {
            /**
             * Format: uri-reference
             * @description A URI naming the problem type.
             */
            type: string;
            /** @description A short summary of the problem type. */
            title: string;
            /**
             * Format: int32
             * @description The HTTP status of this answer.
             */
            status: number;
            /** @description What went wrong with this request and what to do. */
            detail: string;
            /**
             * Format: uri-reference
             * @description The request path.
             */
            instance?: string;
            code: components["schemas"]["ProblemCode"];
            requestId: components["schemas"]["RequestId"];
            /** @description Each invalid input of an `invalid_request` problem. */
            errors?: components["schemas"]["InputError"][];
        };
        /** @description One invalid input. */
        InputError: {
            /** @enum {string} */
            location: "path" | "query" | "header" | "body";
            /** @description The parameter or header name, or a JSON pointer into the body. */
            name?: string;
            message: string;
        };
        /** @description Any body, passed through as-is. */
        AnyBody: unknown;
        Health: {
            /** @enum {string} */
            status: "ok";
        };
        /** @enum {string} */
        DependencyStatus: "ok" | "unavailable";
        Readiness: {
            status: components["schemas"]["DependencyStatus"];
            checks: {
                database: components["schemas"]["DependencyStatus"];
                secretStore: components["schemas"]["DependencyStatus"];
            };
        };
    };
    responses: {
        /** @description The remote endpoint's answer, returned as-is (status, headers and body). */
        PassthroughOk: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "*/*": components["schemas"]["AnyBody"];
            };
        };
        /** @description The remote endpoint's answer, returned as-is (status, headers and body). */
        PassthroughCreated: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "*/*": components["schemas"]["AnyBody"];
            };
        };
        /** @description Any other answer of the remote endpoint, returned as-is (status, headers and body). It never carries `LP-gateway-error`, which is how it differs from an answer of the gateway itself. */
        Passthrough: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "*/*": components["schemas"]["AnyBody"];
            };
        };
        /** @description The remote endpoint's answer to HEAD, returned as-is (status and headers; no body). */
        PassthroughHead: {
            headers: {
                [name: string]: unknown;
            };
            content?: never;
        };
        /** @description The certificate. */
        CertificateOk: {
            headers: {
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Certificate"];
            };
        };
        /** @description The certificates were saved. */
        CertificatesSaved: {
            headers: {
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CertificateSaveResult"];
            };
        };
        /** @description The certificates were replaced. */
        CertificatesUpdated: {
            headers: {
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CertificateSaveResult"];
            };
        };
        /** @description A header, parameter or body is missing or malformed. */
        BadRequest: {
            headers: {
                "LP-gateway-error": components["headers"]["LpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The gateway's own problem (`application/problem+json`, with `LP-gateway-error`): a control header is missing or malformed, or `LP-stop-if-certificate-not-found: true` and no certificate applies (`certificate_not_found`). Or the remote endpoint's own 400, returned as-is: any media type, no `LP-gateway-error`. */
        ForwardBadRequest: {
            headers: {
                "LP-gateway-error": components["headers"]["PassthroughLpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "*/*": components["schemas"]["AnyBody"];
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The body is malformed, or the PKCS#12 file is unusable (the `code` names why). */
        P12BadRequest: {
            headers: {
                "LP-gateway-error": components["headers"]["LpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Missing or invalid credentials. */
        Unauthorized: {
            headers: {
                "LP-gateway-error": components["headers"]["LpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                "WWW-Authenticate": components["headers"]["WwwAuthenticate"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The credential lacks the permission, or is not scoped to this account. */
        Forbidden: {
            headers: {
                "LP-gateway-error": components["headers"]["LpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The credential lacks the permission or is not scoped to this account (`forbidden`), or the forward URL resolves to an address the egress policy refuses (`destination_blocked`; nothing was sent). */
        ForwardForbidden: {
            headers: {
                "LP-gateway-error": components["headers"]["LpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No such certificate or mapping in this account. */
        NotFound: {
            headers: {
                "LP-gateway-error": components["headers"]["LpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The certificate name, or the account + service + URL mapping, is already taken. */
        Conflict: {
            headers: {
                "LP-gateway-error": components["headers"]["LpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The request body or a multipart part is over the limit. */
        PayloadTooLarge: {
            headers: {
                "LP-gateway-error": components["headers"]["LpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The request body has a content type the operation does not accept. */
        UnsupportedMediaType: {
            headers: {
                "LP-gateway-error": components["headers"]["LpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The remote endpoint could not be reached (DNS, connection refused or reset, TLS handshake failure — the remote rejecting the certificate included —, or timeout). */
        TransportFailure: {
            headers: {
                "LP-gateway-error": components["headers"]["LpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                "LP-message-from-transport": components["headers"]["LpMessageFromTransport"];
                "LP-error-from-transport": components["headers"]["LpErrorFromTransport"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Over the per-IP rate limit (10 requests per second by default). */
        TooManyRequests: {
            headers: {
                "LP-gateway-error": components["headers"]["LpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description An unexpected error of the gateway. */
        InternalError: {
            headers: {
                "LP-gateway-error": components["headers"]["LpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The remote endpoint answered with a status the gateway cannot pass on: outside 200–599, or `101 Switching Protocols` (the gateway does not tunnel upgraded connections). Its answer was discarded. A `502` of the remote itself is returned as-is: any media type, no `LP-gateway-error`. */
        BadGateway: {
            headers: {
                "LP-gateway-error": components["headers"]["PassthroughLpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "*/*": components["schemas"]["AnyBody"];
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The database or the secret store is not reachable, or too many PKCS#12 files are waiting to be opened (then with `Retry-After`); retry later. */
        ServiceUnavailable: {
            headers: {
                "LP-gateway-error": components["headers"]["LpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The gateway's own problem (`application/problem+json`, with `LP-gateway-error`): the form is malformed or the PKCS#12 file is unusable (the `code` names why). Or the remote endpoint's own 400 — for example a server that refuses the certificate at the HTTP level —, returned as-is: any media type, no `LP-gateway-error`. */
        P12TestBadRequest: {
            headers: {
                "LP-gateway-error": components["headers"]["PassthroughLpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "*/*": components["schemas"]["AnyBody"];
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The gateway's own problem (`application/problem+json`, with `LP-gateway-error` and `WWW-Authenticate`): missing or invalid credentials. Or the remote endpoint's own 401, returned as-is: any media type, no `LP-gateway-error`. */
        PassthroughUnauthorized: {
            headers: {
                "LP-gateway-error": components["headers"]["PassthroughLpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                "WWW-Authenticate": components["headers"]["PassthroughWwwAuthenticate"];
                [name: string]: unknown;
            };
            content: {
                "*/*": components["schemas"]["AnyBody"];
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The gateway's own problem (`application/problem+json`, with `LP-gateway-error`): the credential lacks the permission or is not scoped to this account (`forbidden`), or the forward URL resolves to an address the egress policy refuses (`destination_blocked`; nothing was sent). Or the remote endpoint's own 403, returned as-is: any media type, no `LP-gateway-error`. */
        PassthroughForbidden: {
            headers: {
                "LP-gateway-error": components["headers"]["PassthroughLpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "*/*": components["schemas"]["AnyBody"];
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The gateway's own problem (`application/problem+json`, with `LP-gateway-error`): the request body or a multipart part is over the limit. Or the remote endpoint's own 413, returned as-is: any media type, no `LP-gateway-error`. */
        PassthroughPayloadTooLarge: {
            headers: {
                "LP-gateway-error": components["headers"]["PassthroughLpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "*/*": components["schemas"]["AnyBody"];
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The gateway's own problem (`application/problem+json`, with `LP-gateway-error`): the request body has a content type the operation does not accept. Or the remote endpoint's own 415, returned as-is: any media type, no `LP-gateway-error`. */
        PassthroughUnsupportedMediaType: {
            headers: {
                "LP-gateway-error": components["headers"]["PassthroughLpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "*/*": components["schemas"]["AnyBody"];
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The gateway's own problem (`application/problem+json`, with `LP-gateway-error`, `LP-message-from-transport` and `LP-error-from-transport`): the remote endpoint could not be reached (DNS, connection refused or reset, TLS handshake failure — the remote rejecting the certificate included —, or timeout). Or the remote endpoint's own 424, returned as-is: any media type, no `LP-gateway-error`. */
        PassthroughTransportFailure: {
            headers: {
                "LP-gateway-error": components["headers"]["PassthroughLpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                "LP-message-from-transport": components["headers"]["PassthroughLpMessageFromTransport"];
                "LP-error-from-transport": components["headers"]["PassthroughLpErrorFromTransport"];
                [name: string]: unknown;
            };
            content: {
                "*/*": components["schemas"]["AnyBody"];
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The gateway's own problem (`application/problem+json`, with `LP-gateway-error` and `Retry-After`): over the per-IP rate limit (10 requests per second by default). Or the remote endpoint's own 429, returned as-is: any media type, no `LP-gateway-error`. */
        PassthroughTooManyRequests: {
            headers: {
                "LP-gateway-error": components["headers"]["PassthroughLpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                "Retry-After": components["headers"]["PassthroughRetryAfter"];
                [name: string]: unknown;
            };
            content: {
                "*/*": components["schemas"]["AnyBody"];
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The gateway's own problem (`application/problem+json`, with `LP-gateway-error`): an unexpected error of the gateway. Or the remote endpoint's own 500, returned as-is: any media type, no `LP-gateway-error`. */
        PassthroughInternalError: {
            headers: {
                "LP-gateway-error": components["headers"]["PassthroughLpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "*/*": components["schemas"]["AnyBody"];
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The gateway's own problem (`application/problem+json`, with `LP-gateway-error`): the database or the secret store is not reachable, or too many PKCS#12 files are waiting to be opened (then with `Retry-After`); retry later. Or the remote endpoint's own 503, returned as-is: any media type, no `LP-gateway-error`. */
        PassthroughServiceUnavailable: {
            headers: {
                "LP-gateway-error": components["headers"]["PassthroughLpGatewayError"];
                "X-Request-Id": components["headers"]["XRequestId"];
                [name: string]: unknown;
            };
            content: {
                "*/*": components["schemas"]["AnyBody"];
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: {
        /**
         * @description LP site ID (account id).
         * @example le1606809
         */
        AccountId: components["schemas"]["AccountId"];
        /**
         * @description The generated certificate id.
         * @example 3515906310
         */
        CertificateId: components["schemas"]["IdString"];
        /**
         * @description The generated mapping id.
         * @example 7340032010
         */
        MappingId: components["schemas"]["IdString"];
        /**
         * @description The desired endpoint URL of the client: the complete target URL, query included. Only `http` and `https` URLs are accepted, and the resolved address must pass the egress policy (SSRF guard).
         * @example https://api.example.com/hooks?tenant=42
         */
        LpForwardUrl: components["schemas"]["TargetUrl"];
        /**
         * @description The service whose certificate applies. Documented values are `TEST_SERVICE`, `IDP` and `WEBHOOKS`; LivePerson Functions sends `FAAS`. Without it, a mapping of the URL under any service name is used when exactly one exists.
         * @example WEBHOOKS
         */
        LpServiceName: components["schemas"]["ServiceName"];
        /**
         * @description Becomes the `Authorization` header sent to the target (the caller's own is never forwarded).
         * @example Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl
         */
        LpAuthorizationOverride: string;
        /**
         * @description When `true` and no certificate applies, nothing is sent and the answer is 400 `certificate_not_found`. When `false` (the default) such a request goes out over plain TLS.
         * @example true
         */
        LpStopIfCertificateNotFound: boolean;
        /**
         * @description The `Content-Type` of the body sent to the target.
         * @example application/json
         */
        LpContentTypeOverride: string;
        /**
         * @description The method of the call to the target (`POST` when absent).
         * @example PUT
         */
        LpMethodOverride: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";
        /**
         * @description Include soft-deleted certificates.
         * @example true
         */
        IncludeDeleted: boolean;
        /**
         * @description Accept a certificate that is expired or not yet valid (it is stored with status `Expired` or `UnAvailable` and never presented while outside its validity).
         * @example false
         */
        AllowExpired: boolean;
        /**
         * @description Make a real test call to the URL with the certificate first; 424 when it fails.
         * @example true
         */
        IsValidateUrlEnabled: boolean;
    };
    requestBodies: {
        /** @description The same body as the client sends to the original endpoint, streamed as-is (any content type). */
        ForwardBody: {
            content: {
                "*/*": components["schemas"]["AnyBody"];
            };
        };
        CertificateUploads: {
            content: {
                "application/json": components["schemas"]["CertificateUploadList"];
            };
        };
        CertificateUpdates: {
            content: {
                "application/json": components["schemas"]["CertificateUpdateList"];
            };
        };
        CertificateFileUpload: {
            content: {
                "multipart/form-data": components["schemas"]["CertificateFileForm"];
            };
        };
        CertificateFileReplacement: {
            content: {
                "multipart/form-data": components["schemas"]["CertificateFileReplacementForm"];
            };
        };
    };
    headers: {
        /** @description The id of this request in the gateway's logs. */
        XRequestId: components["schemas"]["RequestId"];
        /** @description Present on every answer the gateway makes itself (never on a passthrough answer); holds the problem `code`. */
        LpGatewayError: components["schemas"]["ProblemCode"];
        /**
         * @description The accepted authentication schemes.
         * @example OAuth realm="mtls-gateway", Bearer realm="mtls-gateway"
         */
        WwwAuthenticate: string;
        /**
         * @description Seconds to wait before trying again.
         * @example 1
         */
        RetryAfter: number;
        /**
         * @description The transport error message of the failed call to the remote.
         * @example connect ECONNREFUSED 203.0.113.7:443
         */
        LpMessageFromTransport: string;
        /**
         * @description The transport error kind of the failed call to the remote.
         * @example ECONNREFUSED
         */
        LpErrorFromTransport: string;
        /** @description Present exactly when the gateway answered itself, and then it holds the problem `code` (the body is an `application/problem+json` problem). Absent on an answer of the remote endpoint, which is returned as-is under the same status. */
        PassthroughLpGatewayError: components["schemas"]["ProblemCode"];
        /**
         * @description The accepted authentication schemes, on the gateway's own 401 (with `LP-gateway-error`). A 401 of the remote endpoint carries whatever that endpoint sent.
         * @example OAuth realm="mtls-gateway", Bearer realm="mtls-gateway"
         */
        PassthroughWwwAuthenticate: string;
        /**
         * @description Seconds to wait before trying again, on the gateway's own 429 (with `LP-gateway-error`). A 429 of the remote endpoint carries whatever that endpoint sent.
         * @example 1
         */
        PassthroughRetryAfter: number;
        /**
         * @description The transport error message of the failed call to the remote, on the gateway's own 424 (with `LP-gateway-error`). Never on a 424 of the remote endpoint (the gateway strips it from remote answers).
         * @example connect ECONNREFUSED 203.0.113.7:443
         */
        PassthroughLpMessageFromTransport: string;
        /**
         * @description The transport error kind of the failed call to the remote, on the gateway's own 424 (with `LP-gateway-error`). Never on a 424 of the remote endpoint (the gateway strips it from remote answers).
         * @example ECONNREFUSED
         */
        PassthroughLpErrorFromTransport: string;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    forwardGet: {
        parameters: {
            query?: never;
            header: {
                /**
                 * @description The desired endpoint URL of the client: the complete target URL, query included. Only `http` and `https` URLs are accepted, and the resolved address must pass the egress policy (SSRF guard).
                 * @example https://api.example.com/hooks?tenant=42
                 */
                "LP-forward-url": components["parameters"]["LpForwardUrl"];
                /**
                 * @description The service whose certificate applies. Documented values are `TEST_SERVICE`, `IDP` and `WEBHOOKS`; LivePerson Functions sends `FAAS`. Without it, a mapping of the URL under any service name is used when exactly one exists.
                 * @example WEBHOOKS
                 */
                "LP-service-name"?: components["parameters"]["LpServiceName"];
                /**
                 * @description Becomes the `Authorization` header sent to the target (the caller's own is never forwarded).
                 * @example Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl
                 */
                "LP-authorization-override"?: components["parameters"]["LpAuthorizationOverride"];
                /**
                 * @description When `true` and no certificate applies, nothing is sent and the answer is 400 `certificate_not_found`. When `false` (the default) such a request goes out over plain TLS.
                 * @example true
                 */
                "LP-stop-if-certificate-not-found"?: components["parameters"]["LpStopIfCertificateNotFound"];
            };
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["PassthroughOk"];
            400: components["responses"]["ForwardBadRequest"];
            401: components["responses"]["PassthroughUnauthorized"];
            403: components["responses"]["PassthroughForbidden"];
            413: components["responses"]["PassthroughPayloadTooLarge"];
            424: components["responses"]["PassthroughTransportFailure"];
            429: components["responses"]["PassthroughTooManyRequests"];
            500: components["responses"]["PassthroughInternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["PassthroughServiceUnavailable"];
            default: components["responses"]["Passthrough"];
        };
    };
    forwardPut: {
        parameters: {
            query?: never;
            header: {
                /**
                 * @description The desired endpoint URL of the client: the complete target URL, query included. Only `http` and `https` URLs are accepted, and the resolved address must pass the egress policy (SSRF guard).
                 * @example https://api.example.com/hooks?tenant=42
                 */
                "LP-forward-url": components["parameters"]["LpForwardUrl"];
                /**
                 * @description The service whose certificate applies. Documented values are `TEST_SERVICE`, `IDP` and `WEBHOOKS`; LivePerson Functions sends `FAAS`. Without it, a mapping of the URL under any service name is used when exactly one exists.
                 * @example WEBHOOKS
                 */
                "LP-service-name"?: components["parameters"]["LpServiceName"];
                /**
                 * @description Becomes the `Authorization` header sent to the target (the caller's own is never forwarded).
                 * @example Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl
                 */
                "LP-authorization-override"?: components["parameters"]["LpAuthorizationOverride"];
                /**
                 * @description When `true` and no certificate applies, nothing is sent and the answer is 400 `certificate_not_found`. When `false` (the default) such a request goes out over plain TLS.
                 * @example true
                 */
                "LP-stop-if-certificate-not-found"?: components["parameters"]["LpStopIfCertificateNotFound"];
            };
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        requestBody?: components["requestBodies"]["ForwardBody"];
        responses: {
            200: components["responses"]["PassthroughOk"];
            201: components["responses"]["PassthroughCreated"];
            400: components["responses"]["ForwardBadRequest"];
            401: components["responses"]["PassthroughUnauthorized"];
            403: components["responses"]["PassthroughForbidden"];
            413: components["responses"]["PassthroughPayloadTooLarge"];
            424: components["responses"]["PassthroughTransportFailure"];
            429: components["responses"]["PassthroughTooManyRequests"];
            500: components["responses"]["PassthroughInternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["PassthroughServiceUnavailable"];
            default: components["responses"]["Passthrough"];
        };
    };
    forwardPost: {
        parameters: {
            query?: never;
            header: {
                /**
                 * @description The desired endpoint URL of the client: the complete target URL, query included. Only `http` and `https` URLs are accepted, and the resolved address must pass the egress policy (SSRF guard).
                 * @example https://api.example.com/hooks?tenant=42
                 */
                "LP-forward-url": components["parameters"]["LpForwardUrl"];
                /**
                 * @description The service whose certificate applies. Documented values are `TEST_SERVICE`, `IDP` and `WEBHOOKS`; LivePerson Functions sends `FAAS`. Without it, a mapping of the URL under any service name is used when exactly one exists.
                 * @example WEBHOOKS
                 */
                "LP-service-name"?: components["parameters"]["LpServiceName"];
                /**
                 * @description Becomes the `Authorization` header sent to the target (the caller's own is never forwarded).
                 * @example Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl
                 */
                "LP-authorization-override"?: components["parameters"]["LpAuthorizationOverride"];
                /**
                 * @description When `true` and no certificate applies, nothing is sent and the answer is 400 `certificate_not_found`. When `false` (the default) such a request goes out over plain TLS.
                 * @example true
                 */
                "LP-stop-if-certificate-not-found"?: components["parameters"]["LpStopIfCertificateNotFound"];
            };
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        requestBody?: components["requestBodies"]["ForwardBody"];
        responses: {
            200: components["responses"]["PassthroughOk"];
            201: components["responses"]["PassthroughCreated"];
            400: components["responses"]["ForwardBadRequest"];
            401: components["responses"]["PassthroughUnauthorized"];
            403: components["responses"]["PassthroughForbidden"];
            413: components["responses"]["PassthroughPayloadTooLarge"];
            424: components["responses"]["PassthroughTransportFailure"];
            429: components["responses"]["PassthroughTooManyRequests"];
            500: components["responses"]["PassthroughInternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["PassthroughServiceUnavailable"];
            default: components["responses"]["Passthrough"];
        };
    };
    forwardDelete: {
        parameters: {
            query?: never;
            header: {
                /**
                 * @description The desired endpoint URL of the client: the complete target URL, query included. Only `http` and `https` URLs are accepted, and the resolved address must pass the egress policy (SSRF guard).
                 * @example https://api.example.com/hooks?tenant=42
                 */
                "LP-forward-url": components["parameters"]["LpForwardUrl"];
                /**
                 * @description The service whose certificate applies. Documented values are `TEST_SERVICE`, `IDP` and `WEBHOOKS`; LivePerson Functions sends `FAAS`. Without it, a mapping of the URL under any service name is used when exactly one exists.
                 * @example WEBHOOKS
                 */
                "LP-service-name"?: components["parameters"]["LpServiceName"];
                /**
                 * @description Becomes the `Authorization` header sent to the target (the caller's own is never forwarded).
                 * @example Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl
                 */
                "LP-authorization-override"?: components["parameters"]["LpAuthorizationOverride"];
                /**
                 * @description When `true` and no certificate applies, nothing is sent and the answer is 400 `certificate_not_found`. When `false` (the default) such a request goes out over plain TLS.
                 * @example true
                 */
                "LP-stop-if-certificate-not-found"?: components["parameters"]["LpStopIfCertificateNotFound"];
            };
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        requestBody?: components["requestBodies"]["ForwardBody"];
        responses: {
            200: components["responses"]["PassthroughOk"];
            201: components["responses"]["PassthroughCreated"];
            400: components["responses"]["ForwardBadRequest"];
            401: components["responses"]["PassthroughUnauthorized"];
            403: components["responses"]["PassthroughForbidden"];
            413: components["responses"]["PassthroughPayloadTooLarge"];
            424: components["responses"]["PassthroughTransportFailure"];
            429: components["responses"]["PassthroughTooManyRequests"];
            500: components["responses"]["PassthroughInternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["PassthroughServiceUnavailable"];
            default: components["responses"]["Passthrough"];
        };
    };
    forwardHead: {
        parameters: {
            query?: never;
            header: {
                /**
                 * @description The desired endpoint URL of the client: the complete target URL, query included. Only `http` and `https` URLs are accepted, and the resolved address must pass the egress policy (SSRF guard).
                 * @example https://api.example.com/hooks?tenant=42
                 */
                "LP-forward-url": components["parameters"]["LpForwardUrl"];
                /**
                 * @description The service whose certificate applies. Documented values are `TEST_SERVICE`, `IDP` and `WEBHOOKS`; LivePerson Functions sends `FAAS`. Without it, a mapping of the URL under any service name is used when exactly one exists.
                 * @example WEBHOOKS
                 */
                "LP-service-name"?: components["parameters"]["LpServiceName"];
                /**
                 * @description Becomes the `Authorization` header sent to the target (the caller's own is never forwarded).
                 * @example Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl
                 */
                "LP-authorization-override"?: components["parameters"]["LpAuthorizationOverride"];
                /**
                 * @description When `true` and no certificate applies, nothing is sent and the answer is 400 `certificate_not_found`. When `false` (the default) such a request goes out over plain TLS.
                 * @example true
                 */
                "LP-stop-if-certificate-not-found"?: components["parameters"]["LpStopIfCertificateNotFound"];
            };
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["PassthroughHead"];
            400: components["responses"]["ForwardBadRequest"];
            401: components["responses"]["PassthroughUnauthorized"];
            403: components["responses"]["PassthroughForbidden"];
            413: components["responses"]["PassthroughPayloadTooLarge"];
            424: components["responses"]["PassthroughTransportFailure"];
            429: components["responses"]["PassthroughTooManyRequests"];
            500: components["responses"]["PassthroughInternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["PassthroughServiceUnavailable"];
            default: components["responses"]["PassthroughHead"];
        };
    };
    forwardPatch: {
        parameters: {
            query?: never;
            header: {
                /**
                 * @description The desired endpoint URL of the client: the complete target URL, query included. Only `http` and `https` URLs are accepted, and the resolved address must pass the egress policy (SSRF guard).
                 * @example https://api.example.com/hooks?tenant=42
                 */
                "LP-forward-url": components["parameters"]["LpForwardUrl"];
                /**
                 * @description The service whose certificate applies. Documented values are `TEST_SERVICE`, `IDP` and `WEBHOOKS`; LivePerson Functions sends `FAAS`. Without it, a mapping of the URL under any service name is used when exactly one exists.
                 * @example WEBHOOKS
                 */
                "LP-service-name"?: components["parameters"]["LpServiceName"];
                /**
                 * @description Becomes the `Authorization` header sent to the target (the caller's own is never forwarded).
                 * @example Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl
                 */
                "LP-authorization-override"?: components["parameters"]["LpAuthorizationOverride"];
                /**
                 * @description When `true` and no certificate applies, nothing is sent and the answer is 400 `certificate_not_found`. When `false` (the default) such a request goes out over plain TLS.
                 * @example true
                 */
                "LP-stop-if-certificate-not-found"?: components["parameters"]["LpStopIfCertificateNotFound"];
            };
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        requestBody?: components["requestBodies"]["ForwardBody"];
        responses: {
            200: components["responses"]["PassthroughOk"];
            201: components["responses"]["PassthroughCreated"];
            400: components["responses"]["ForwardBadRequest"];
            401: components["responses"]["PassthroughUnauthorized"];
            403: components["responses"]["PassthroughForbidden"];
            413: components["responses"]["PassthroughPayloadTooLarge"];
            424: components["responses"]["PassthroughTransportFailure"];
            429: components["responses"]["PassthroughTooManyRequests"];
            500: components["responses"]["PassthroughInternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["PassthroughServiceUnavailable"];
            default: components["responses"]["Passthrough"];
        };
    };
    testP12: {
        parameters: {
            query?: never;
            header: {
                /**
                 * @description The desired endpoint URL of the client: the complete target URL, query included. Only `http` and `https` URLs are accepted, and the resolved address must pass the egress policy (SSRF guard).
                 * @example https://api.example.com/hooks?tenant=42
                 */
                "LP-forward-url": components["parameters"]["LpForwardUrl"];
                /**
                 * @description Becomes the `Authorization` header sent to the target (the caller's own is never forwarded).
                 * @example Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl
                 */
                "LP-authorization-override"?: components["parameters"]["LpAuthorizationOverride"];
                /**
                 * @description The `Content-Type` of the body sent to the target.
                 * @example application/json
                 */
                "LP-content-type-override"?: components["parameters"]["LpContentTypeOverride"];
                /**
                 * @description The method of the call to the target (`POST` when absent).
                 * @example PUT
                 */
                "LP-method-override"?: components["parameters"]["LpMethodOverride"];
            };
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["P12TestForm"];
            };
        };
        responses: {
            200: components["responses"]["PassthroughOk"];
            201: components["responses"]["PassthroughCreated"];
            400: components["responses"]["P12TestBadRequest"];
            401: components["responses"]["PassthroughUnauthorized"];
            403: components["responses"]["PassthroughForbidden"];
            413: components["responses"]["PassthroughPayloadTooLarge"];
            415: components["responses"]["PassthroughUnsupportedMediaType"];
            424: components["responses"]["PassthroughTransportFailure"];
            429: components["responses"]["PassthroughTooManyRequests"];
            500: components["responses"]["PassthroughInternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["PassthroughServiceUnavailable"];
            default: components["responses"]["Passthrough"];
        };
    };
    listCertificates: {
        parameters: {
            query?: {
                /**
                 * @description Include soft-deleted certificates.
                 * @example true
                 */
                includeDeleted?: components["parameters"]["IncludeDeleted"];
            };
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The account's certificates. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["XRequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CertificateList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    updateCertificates: {
        parameters: {
            query?: {
                /**
                 * @description Accept a certificate that is expired or not yet valid (it is stored with status `Expired` or `UnAvailable` and never presented while outside its validity).
                 * @example false
                 */
                allowExpired?: components["parameters"]["AllowExpired"];
            };
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        requestBody: components["requestBodies"]["CertificateUpdates"];
        responses: {
            200: components["responses"]["CertificatesUpdated"];
            400: components["responses"]["P12BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    createCertificates: {
        parameters: {
            query?: {
                /**
                 * @description Accept a certificate that is expired or not yet valid (it is stored with status `Expired` or `UnAvailable` and never presented while outside its validity).
                 * @example false
                 */
                allowExpired?: components["parameters"]["AllowExpired"];
            };
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        requestBody: components["requestBodies"]["CertificateUploads"];
        responses: {
            201: components["responses"]["CertificatesSaved"];
            400: components["responses"]["P12BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getCertificate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
                /**
                 * @description The generated certificate id.
                 * @example 3515906310
                 */
                certificateId: components["parameters"]["CertificateId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["CertificateOk"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    updateCertificate: {
        parameters: {
            query?: {
                /**
                 * @description Accept a certificate that is expired or not yet valid (it is stored with status `Expired` or `UnAvailable` and never presented while outside its validity).
                 * @example false
                 */
                allowExpired?: components["parameters"]["AllowExpired"];
            };
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
                /**
                 * @description The generated certificate id.
                 * @example 3515906310
                 */
                certificateId: components["parameters"]["CertificateId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CertificateReplacement"];
            };
        };
        responses: {
            200: components["responses"]["CertificatesUpdated"];
            400: components["responses"]["P12BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    deleteCertificate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
                /**
                 * @description The generated certificate id.
                 * @example 3515906310
                 */
                certificateId: components["parameters"]["CertificateId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The deleted certificate. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["XRequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Certificate"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    updateCertificateFromFile: {
        parameters: {
            query?: {
                /**
                 * @description Accept a certificate that is expired or not yet valid (it is stored with status `Expired` or `UnAvailable` and never presented while outside its validity).
                 * @example false
                 */
                allowExpired?: components["parameters"]["AllowExpired"];
            };
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        requestBody: components["requestBodies"]["CertificateFileReplacement"];
        responses: {
            200: components["responses"]["CertificatesUpdated"];
            400: components["responses"]["P12BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    createCertificateFromFile: {
        parameters: {
            query?: {
                /**
                 * @description Accept a certificate that is expired or not yet valid (it is stored with status `Expired` or `UnAvailable` and never presented while outside its validity).
                 * @example false
                 */
                allowExpired?: components["parameters"]["AllowExpired"];
            };
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        requestBody: components["requestBodies"]["CertificateFileUpload"];
        responses: {
            201: components["responses"]["CertificatesSaved"];
            400: components["responses"]["P12BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    updateCertificateFromFileAlias: {
        parameters: {
            query?: {
                /**
                 * @description Accept a certificate that is expired or not yet valid (it is stored with status `Expired` or `UnAvailable` and never presented while outside its validity).
                 * @example false
                 */
                allowExpired?: components["parameters"]["AllowExpired"];
            };
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        requestBody: components["requestBodies"]["CertificateFileReplacement"];
        responses: {
            200: components["responses"]["CertificatesUpdated"];
            400: components["responses"]["P12BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    createCertificateFromFileAlias: {
        parameters: {
            query?: {
                /**
                 * @description Accept a certificate that is expired or not yet valid (it is stored with status `Expired` or `UnAvailable` and never presented while outside its validity).
                 * @example false
                 */
                allowExpired?: components["parameters"]["AllowExpired"];
            };
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        requestBody: components["requestBodies"]["CertificateFileUpload"];
        responses: {
            201: components["responses"]["CertificatesSaved"];
            400: components["responses"]["P12BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    activateMapping: {
        parameters: {
            query?: {
                /**
                 * @description Make a real test call to the URL with the certificate first; 424 when it fails.
                 * @example true
                 */
                isValidateUrlEnabled?: components["parameters"]["IsValidateUrlEnabled"];
            };
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
                /**
                 * @description The generated certificate id.
                 * @example 3515906310
                 */
                certificateId: components["parameters"]["CertificateId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MappingTarget"];
            };
        };
        responses: {
            /** @description The mapping was created. */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["XRequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Mapping"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["ForwardForbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            424: components["responses"]["TransportFailure"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listMappings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The account's mappings. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["XRequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MappingList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    deleteMapping: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
                /**
                 * @description The generated mapping id.
                 * @example 7340032010
                 */
                mappingId: components["parameters"]["MappingId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The deleted mapping. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["XRequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Mapping"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    checkMappings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description LP site ID (account id).
                 * @example le1606809
                 */
                accountId: components["parameters"]["AccountId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MappingCheckRequest"];
            };
        };
        responses: {
            /** @description One answer per pair, in the order asked. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["XRequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MappingCheckResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The process is alive. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready to serve. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            /** @description A dependency is not reachable. */
            503: {
                headers: {
                    "LP-gateway-error": components["headers"]["LpGatewayError"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Metrics in the Prometheus text format. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    getApiReference: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The API reference page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI document. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/yaml": string;
                };
            };
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
}
