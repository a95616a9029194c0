/**
 * The coverage table: for each operation and each documented status, whether an answer of that (operation,
 * status) was seen from the target. Rule (also in test/README.md):
 *
 * - not coverable, so left out of the ratio: `500` (a bug of the gateway), `503` (its database or secret
 *   store down) and `default` (any other status of the remote; passthrough answers are checked against it
 *   but not counted), and `429` of `getHealth` (never rate limited, by design);
 * - a remote answer under a status forwarding or the p12 test shares with the gateway's own problem (400,
 *   401, 403…) is checked against that status but does not cover it: only the gateway's own answer does;
 * - the run fails when an operation has no answer at all, or when fewer than 90% of the coverable pairs were
 *   seen.
 */
import type { Exchange } from './recorder.js';
import { specOperations } from './spec.js';

export const COVERAGE_THRESHOLD = 0.9;
const RATE_LIMIT_EXEMPT = new Set(['getHealth']);

export type PairState = 'covered' | 'missing' | 'excluded';

export interface CoverageReport {
  rows: Array<{ operationId: string; answers: number; pairs: Array<{ status: string; state: PairState }> }>;
  covered: number;
  coverable: number;
  ratio: number;
  /** Operations without any answer. */
  untouched: string[];
  missing: string[];
  table: string;
}

/** Why a pair is left out of the ratio, or `undefined` when it counts. */
export function exclusionReason(operationId: string, status: string): string | undefined {
  if (status === '500') return 'internal error: a bug, not provokable';
  if (status === '503') return 'database or secret store down';
  if (status === 'default') return 'any other remote status';
  if (status === '429' && RATE_LIMIT_EXEMPT.has(operationId)) return 'never rate limited (probes)';
  return undefined;
}

/**
 * Whether an exchange shows its (operation, status) pair. A remote answer under a status that forwarding or
 * the p12 test shares with a problem of the gateway's own (content `application/problem+json` and `*∕*`)
 * does not: the pair stands for the gateway's answer.
 */
function showsPair(exchange: Exchange): boolean {
  if (exchange.gatewayAnswer || exchange.documentedAs === undefined) return true;
  const operation = specOperations.find((candidate) => candidate.operationId === exchange.operationId);
  const content = operation?.responses.get(exchange.documentedAs)?.content;
  return !(content?.has('*/*') && content.size > 1);
}

export function coverageReport(exchanges: readonly Exchange[]): CoverageReport {
  const seen = new Set(
    exchanges.filter(showsPair).map((exchange) => `${exchange.operationId} ${exchange.documentedAs}`),
  );
  const answered = new Map<string, number>();
  for (const exchange of exchanges) {
    if (exchange.operationId)
      answered.set(exchange.operationId, (answered.get(exchange.operationId) ?? 0) + 1);
  }
  let covered = 0;
  let coverable = 0;
  const missing: string[] = [];
  const rows = specOperations.map((operation) => {
    const pairs = [...operation.responses.keys()].map((status) => {
      if (exclusionReason(operation.operationId, status) !== undefined) {
        return { status, state: 'excluded' as PairState };
      }
      coverable += 1;
      const state: PairState = seen.has(`${operation.operationId} ${status}`) ? 'covered' : 'missing';
      if (state === 'covered') covered += 1;
      else missing.push(`${operation.operationId} ${status}`);
      return { status, state };
    });
    return { operationId: operation.operationId, answers: answered.get(operation.operationId) ?? 0, pairs };
  });
  const untouched = rows.filter((row) => row.answers === 0).map((row) => row.operationId);
  const ratio = coverable === 0 ? 1 : covered / coverable;
  const mark: Record<PairState, string> = { covered: '✓', missing: '✗', excluded: '–' };
  const width = Math.max(...rows.map((row) => row.operationId.length));
  const lines = rows.map(
    (row) =>
      `${row.operationId.padEnd(width)} ${String(row.answers).padStart(5)}  ${row.pairs
        .map((pair) => `${pair.status}${mark[pair.state]}`)
        .join(' ')}`,
  );
  const table = [
    `${'operation'.padEnd(width)} ${'calls'.padStart(5)}  documented statuses (✓ seen, ✗ not seen, – not counted)`,
    ...lines,
    '',
    `covered ${covered} of ${coverable} coverable (operation, status) pairs: ${(ratio * 100).toFixed(1)}% (threshold ${COVERAGE_THRESHOLD * 100}%)`,
    'not counted: 500 (a bug), 503 (database or secret store down), default (other remote statuses),',
    '             429 of getHealth (never rate limited)',
    ...(missing.length > 0 ? [`not seen: ${missing.join(', ')}`] : []),
  ].join('\n');
  return { rows, covered, coverable, ratio, untouched, missing, table };
}
