/**
 * This file is generated from openapi/mtls.yaml by `pnpm generate` (x-problem-codes of the ProblemCode schema). Do not edit it by hand.
 */

/** Every problem code the gateway answers with, its HTTP status and its title. */
export const PROBLEM_CATALOGUE = {
  invalid_request: { status: 400, title: "Invalid request" },
  certificate_not_found: { status: 400, title: "No certificate applies" },
  p12_wrong_password: { status: 400, title: "Wrong PKCS#12 password" },
  p12_corrupt: { status: 400, title: "Corrupt PKCS#12 file" },
  p12_unsupported_format: { status: 400, title: "Unsupported PKCS#12 format" },
  p12_too_costly: { status: 400, title: "PKCS#12 file too costly to open" },
  p12_no_private_key: { status: 400, title: "No private key in the PKCS#12 file" },
  p12_multiple_keys: { status: 400, title: "Several private keys in the PKCS#12 file" },
  p12_no_certificate: { status: 400, title: "No certificate for the key in the PKCS#12 file" },
  p12_key_mismatch: { status: 400, title: "Certificate and key do not match" },
  p12_unsupported_key: { status: 400, title: "Unsupported key type" },
  p12_expired: { status: 400, title: "Certificate expired" },
  p12_not_yet_valid: { status: 400, title: "Certificate not yet valid" },
  unauthorized: { status: 401, title: "Authentication required" },
  forbidden: { status: 403, title: "Forbidden" },
  destination_blocked: { status: 403, title: "Destination blocked" },
  not_found: { status: 404, title: "Not found" },
  route_not_found: { status: 404, title: "Route not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  request_timeout: { status: 408, title: "Request timeout" },
  name_conflict: { status: 409, title: "Name already in use" },
  mapping_conflict: { status: 409, title: "Mapping already exists" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  transport_failure: { status: 424, title: "The remote endpoint could not be reached" },
  rate_limited: { status: 429, title: "Too many requests" },
  headers_too_large: { status: 431, title: "Request headers too large" },
  internal_error: { status: 500, title: "Internal server error" },
  bad_gateway: { status: 502, title: "Bad gateway" },
  unavailable: { status: 503, title: "Service unavailable" },
} as const satisfies Record<string, { readonly status: number; readonly title: string }>;
