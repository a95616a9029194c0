/**
 * Consumer coverage: which of the spec's documented operation × status pairs a team's tests made the mock
 * answer, and which they never did (the error answers a frontend forgot to handle, typically). Read from the
 * calls a state answered; printed as a table or asserted on in an `afterAll`.
 */
import { type OperationSelection, selectOperations } from './operation-selection.js';
import { type OperationId, specOperation } from './spec.js';
import type { MockCall, MockState } from './state.js';

/**
 * Options of {@link coverageReport}.
 *
 * @example
 * ```ts
 * const options: CoverageOptions = { operations: ['listCertificates', 'createCertificates'] };
 * ```
 */
export interface CoverageOptions {
  /** The operations to report on (default: every operation of the spec), e.g. the ones a passthrough mock mocks. */
  operations?: OperationSelection;
}

/**
 * One documented status of an operation and how many answered calls had it.
 *
 * @example
 * ```ts
 * const ok: StatusCoverage = { status: '200', calls: 3 };
 * ```
 */
export interface StatusCoverage {
  /** The spec's response key: `200`, `4XX` or `default`. */
  status: string;
  calls: number;
}

/**
 * The coverage of one operation.
 *
 * @example
 * ```ts
 * const list: OperationCoverage | undefined = report.operations.find((entry) => entry.operationId === 'listCertificates');
 * ```
 */
export interface OperationCoverage {
  operationId: OperationId;
  method: string;
  path: string;
  /** Answered calls of the operation. */
  calls: number;
  /** Every documented status, in the spec's order, with its count (0: never exercised). */
  statuses: StatusCoverage[];
  /**
   * Statuses answered that the operation does not document (e.g. a scenario's `response` with 418); `0` is a
   * `networkError` scenario.
   */
  undocumented: Array<{ status: number; calls: number }>;
}

/**
 * A coverage report: JSON-safe data (`JSON.stringify(report)`) plus `format()` for a text table.
 *
 * @example
 * ```ts
 * const report: CoverageReport = state.coverage();
 * console.log(report.format());
 * expect(report.summary.ratio).toBeGreaterThanOrEqual(0.2);
 * ```
 */
export interface CoverageReport {
  summary: {
    /** Documented operation × status pairs reported on. */
    pairs: number;
    exercised: number;
    missed: number;
    /** `exercised / pairs` (0 to 1; 0 when there is no pair). */
    ratio: number;
    /** Answered calls of the reported operations. */
    calls: number;
  };
  operations: OperationCoverage[];
  /** Every pair answered at least once. */
  exercised: Array<{ operationId: OperationId; status: string; calls: number }>;
  /** Every pair never answered. */
  missed: Array<{ operationId: OperationId; status: string }>;
  /** Every undocumented status answered. */
  undocumented: Array<{ operationId: OperationId; status: number; calls: number }>;
  /** The report as a text table: one line per operation, what was exercised and what never was. */
  format(): string;
}

/** The documented response key an answered status counts for: exact, then `4XX`-style ranges, then `default`. */
function documentedKey(status: number, keys: ReadonlySet<string>): string | undefined {
  if (keys.has(String(status))) return String(status);
  const range = `${Math.floor(status / 100)}XX`;
  if (status >= 100 && keys.has(range)) return range;
  if (status >= 100 && keys.has('default')) return 'default';
  return undefined;
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

function formatReport(report: Omit<CoverageReport, 'format'>): string {
  const { summary } = report;
  const rows = report.operations.map((operation) => [
    operation.operationId,
    operation.statuses
      .filter((status) => status.calls > 0)
      .map((status) => `${status.status} ×${status.calls}`)
      .join(', ') || '—',
    operation.statuses
      .filter((status) => status.calls === 0)
      .map((status) => status.status)
      .join(' ') || '—',
  ]);
  const header = ['operation', 'exercised', 'never exercised'];
  const widths = [0, 1].map((column) =>
    Math.max(...[header, ...rows].map((row) => (row[column] ?? '').length)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) => (column < 2 ? cell.padEnd(widths[column] ?? 0) : cell))
      .join('  ')
      .trimEnd();
  const lines = [
    `Mock API coverage: ${summary.exercised} of ${summary.pairs} documented operation × status pairs exercised (${percent(summary.ratio)}) by ${summary.calls} calls`,
    line(header),
    ...rows.map(line),
  ];
  if (report.undocumented.length > 0) {
    lines.push(
      `Undocumented statuses answered: ${report.undocumented
        .map(
          (entry) =>
            `${entry.operationId} ${entry.status === 0 ? 'network-error' : entry.status} ×${entry.calls}`,
        )
        .join(', ')}`,
    );
  }
  return lines.join('\n');
}

/**
 * Which documented operation × status pairs (the `responses` of each operation in the spec) the answered
 * calls exercised, and which they never did. `source` is a state (its `callHistory`: every call since it was
 * created, so `reset()` between tests loses nothing) or a list of calls (e.g. several states' calls joined).
 * A status counts for its exact response, else a `4XX` range, else `default` (forwarding documents the
 * remote's other answers so).
 *
 * @throws {TypeError} for an unknown operationId in `options.operations`.
 * @example
 * ```ts
 * import { coverageReport } from '@mtls-gateway/mock-server';
 *
 * afterAll(() => {
 *   const report = coverageReport(mock.state, { operations: { except: ['getMetrics', 'getApiReference'] } });
 *   console.log(report.format());
 *   expect(report.missed).not.toContainEqual({ operationId: 'listCertificates', status: '503' });
 * });
 * ```
 */
export function coverageReport(
  source: MockState | readonly MockCall[],
  options: CoverageOptions = {},
): CoverageReport {
  const calls = Array.isArray(source) ? (source as readonly MockCall[]) : (source as MockState).callHistory;
  const selected = selectOperations(options.operations, 'coverage operations');
  const counts = new Map<OperationId, Map<number, number>>();
  for (const call of calls) {
    if (!selected.has(call.operationId)) continue;
    const byStatus = counts.get(call.operationId) ?? new Map<number, number>();
    byStatus.set(call.status, (byStatus.get(call.status) ?? 0) + 1);
    counts.set(call.operationId, byStatus);
  }
  const operations = [...selected].map((operationId): OperationCoverage => {
    const spec = specOperation(operationId);
    const keys = new Set(spec.responses.map((response) => response.status));
    const documented = new Map(spec.responses.map((response) => [response.status, 0]));
    const undocumented: OperationCoverage['undocumented'] = [];
    let total = 0;
    for (const [status, count] of counts.get(operationId) ?? []) {
      total += count;
      const key = documentedKey(status, keys);
      if (key === undefined) undocumented.push({ status, calls: count });
      else documented.set(key, (documented.get(key) ?? 0) + count);
    }
    return {
      operationId,
      method: spec.method,
      path: spec.path,
      calls: total,
      statuses: [...documented].map(([status, count]) => ({ status, calls: count })),
      undocumented: undocumented.sort((a, b) => a.status - b.status),
    };
  });
  const pairs = operations.flatMap((operation) =>
    operation.statuses.map((status) => ({ operationId: operation.operationId, ...status })),
  );
  const exercised = pairs.filter((pair) => pair.calls > 0);
  const data: Omit<CoverageReport, 'format'> = {
    summary: {
      pairs: pairs.length,
      exercised: exercised.length,
      missed: pairs.length - exercised.length,
      ratio: pairs.length === 0 ? 0 : exercised.length / pairs.length,
      calls: operations.reduce((sum, operation) => sum + operation.calls, 0),
    },
    operations,
    exercised,
    missed: pairs
      .filter((pair) => pair.calls === 0)
      .map(({ operationId, status }) => ({ operationId, status })),
    undocumented: operations.flatMap((operation) =>
      operation.undocumented.map((entry) => ({ operationId: operation.operationId, ...entry })),
    ),
  };
  return { ...data, format: () => formatReport(data) };
}
