import { describe, expect, test } from 'vitest';
import {
  isProblemCode,
  PROBLEM_CATALOGUE,
  PROBLEM_TYPE_BASE,
  type ProblemCode,
  problemCodeForStatus,
  problemKind,
} from './problems.js';
import { openApiDocument } from './spec.js';

describe('the problem catalogue', () => {
  test('is the x-problem-codes of the bundled spec, entry for entry', () => {
    const schema = openApiDocument.components.schemas.ProblemCode as {
      'x-problem-codes': Array<{ code: string; status: number; title: string }>;
    };
    expect(
      Object.entries(PROBLEM_CATALOGUE).map(([code, { status, title }]) => ({ code, status, title })),
    ).toEqual(schema['x-problem-codes']);
  });

  test('every code is valid by the ProblemCode schema and every status is a 4xx or 5xx', () => {
    for (const [code, { status, title }] of Object.entries(PROBLEM_CATALOGUE)) {
      expect(code).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThanOrEqual(599);
      expect(title).not.toBe('');
    }
  });

  test('problemKind gives the type, title and status of a code', () => {
    expect(problemKind('mapping_conflict')).toEqual({
      type: `${PROBLEM_TYPE_BASE}mapping_conflict`,
      title: 'Mapping already exists',
      status: 409,
    });
  });

  test('isProblemCode knows exactly the catalogue (not inherited properties)', () => {
    expect(isProblemCode('not_found')).toBe(true);
    expect(isProblemCode('toString')).toBe(false);
    expect(isProblemCode('p12_invalid_input')).toBe(false);
  });

  test('problemCodeForStatus gives a code of that status, or the general 4xx / 5xx code', () => {
    for (const status of [400, 401, 403, 404, 405, 408, 409, 413, 415, 424, 429, 431, 500, 502, 503]) {
      const code: ProblemCode = problemCodeForStatus(status);
      expect(PROBLEM_CATALOGUE[code].status, `${status}`).toBe(status);
    }
    expect(problemCodeForStatus(418)).toBe('invalid_request');
    expect(problemCodeForStatus(504)).toBe('internal_error');
  });
});
