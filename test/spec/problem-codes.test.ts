/**
 * Problem codes are the spec's: every code literal in the sources of the SDK, the mock and the server that is
 * not an internal error code must be in the catalogue (`x-problem-codes`). Types already refuse an unknown
 * code where a problem is built (`ProblemCode`); this also catches a cast or an untyped path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isProblemCode } from '@mtls-gateway/contract';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = [
  'packages/sdk/src',
  'packages/mock-server/src',
  'packages/reference-server/src',
  'packages/cli/src',
  'packages/console/src',
];

/**
 * Codes of errors that never become a problem answer as such: the SDK's client-side errors, configuration
 * and storage errors the HTTP layer maps to a catalogue code, CLI failures. A new entry here is a decision:
 * the code is not sent to API callers.
 */
const INTERNAL_CODES = new Set([
  // SDK: raised by the client itself (no answer, or an answer the SDK cannot read)
  'unexpected_status',
  'connection_failed',
  'timeout',
  'aborted',
  'invalid_argument',
  'discovery_failed',
  'invalid_response',
  'auth_misconfigured',
  'auth_request_unsignable',
  'p12_invalid_input',
  'spoofed',
  'hook_failed',
  // Server: configuration, storage and secret-store errors, mapped to a problem by the HTTP layer
  'usage',
  'invalid_config',
  'invalid_database_config',
  'invalid_secret_store_config',
  'invalid_master_key',
  'insecure_master_key_file',
  'master_key_mismatch',
  'invalid_upstream_ca_file',
  'invalid_secret_ref',
  'invalid_scope',
  'secret_decryption_failed',
  'secret_store_unavailable',
  'database_unavailable',
  'database_query_failed',
  'database_in_use',
  'schema_too_new',
  'transaction_misuse',
  'unique_violation',
  'foreign_key_violation',
  'p12_workers_unavailable',
  'openapi_document_invalid',
  'oauth_header_invalid',
  // Mock: its own tooling
  'mock_prism_start_failed',
  'mock_invalid_scenario',
  'mock_invalid_duration',
  'mock_invalid_snapshot',
  // CLI: its own failures in --json output (a gateway problem keeps the gateway's code)
  'configuration',
  'interrupted',
  'internal',
  // Console: an error of the page itself, shown like a problem
  'console_error',
]);

/** A code literal where an error or a problem gets its code. */
const CODE_LITERAL =
  /(?:(?<!typeof [^;\n=]*)\bcode(?::|\s*=|\s*===|\s*!==)\s*|\bdefaultCode\b[^=]*=\s*|MockProblem\(\s*|GATEWAY_ERROR_HEADER\]:\s*|'LP-gateway-error':\s*)'([a-z][a-z0-9_]*)'/g;
function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !/\.test(-d)?\.tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !path.includes('/generated/') && !path.includes('/testing/'));
}

/** Every code literal of `text` that is neither in the catalogue nor internal. */
export function unknownCodes(text: string): string[] {
  return [...text.matchAll(CODE_LITERAL)]
    .map((match) => match[1] as string)
    .filter((code) => !isProblemCode(code) && !INTERNAL_CODES.has(code));
}

describe('problem codes in the sources', () => {
  test('the scan finds a code that is not in the spec', () => {
    expect(unknownCodes(`throw new MockProblem('made_up', 'x'); readonly code = 'not_found';`)).toEqual([
      'made_up',
    ]);
    expect(unknownCodes(`headers: { [GATEWAY_ERROR_HEADER]: 'shiny_new' }`)).toEqual(['shiny_new']);
    expect(unknownCodes(`if (error.code === 'odd_one') x = typeof error.code === 'string';`)).toEqual([
      'odd_one',
    ]);
  });

  test.each(SOURCES)('every problem code used in %s is in the spec', (source) => {
    const found: string[] = [];
    for (const path of sourceFiles(join(root, source))) {
      for (const code of unknownCodes(readFileSync(path, 'utf8')))
        found.push(`${relative(root, path)}: ${code}`);
    }
    expect(
      found,
      'add the code to x-problem-codes in openapi/mtls.yaml, or to INTERNAL_CODES if it is never sent',
    ).toEqual([]);
  });
});
