import { describe, expect, it } from 'vitest';
import { generateRequestId, REQUEST_ID_PATTERN, requestIdOf } from './request-id.js';

describe('request ids', () => {
  it('generates well-formed ids that do not repeat across refills of the random pool', () => {
    const ids = Array.from({ length: 2_000 }, () => generateRequestId());
    for (const id of ids) expect(id).toMatch(/^req-[0-9a-f]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => REQUEST_ID_PATTERN.test(id))).toBe(true);
  });

  it('keeps a well-formed incoming X-Request-Id and replaces a malformed one', () => {
    const of = (value: string) => requestIdOf({ headers: { 'x-request-id': value } } as never);
    expect(of('trace-42.a:b_c')).toBe('trace-42.a:b_c');
    expect(of('bad id\n')).toMatch(/^req-[0-9a-f]{16}$/);
  });
});
