/**
 * The coverage check of a target, declared last in its test file: prints the table and fails when an
 * operation was never answered or fewer than 90% of the coverable (operation, status) pairs were seen.
 */
import { describe, expect, test } from 'vitest';
import { COVERAGE_THRESHOLD, coverageReport } from './coverage.js';
import type { ContractSuite } from './suite.js';

export function defineCoverageCheck(suite: ContractSuite): void {
  describe('coverage of the spec', () => {
    test(`every operation answered, and at least ${COVERAGE_THRESHOLD * 100}% of its documented statuses`, () => {
      const report = coverageReport(suite.recorder().exchanges);
      console.log(`\nCoverage of (operation, status) pairs against ${suite.name}:\n${report.table}\n`);
      expect(report.untouched, 'operations never answered').toEqual([]);
      expect(
        report.ratio,
        `coverage below the threshold; not seen: ${report.missing.join(', ')}`,
      ).toBeGreaterThanOrEqual(COVERAGE_THRESHOLD);
    });
  });
}
