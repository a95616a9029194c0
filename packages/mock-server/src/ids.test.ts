import { expect, test } from 'vitest';
import { IdGenerator } from './ids.js';

test('ids are deterministic per seed, distinct, gateway-like and JSON-safe', () => {
  const a = new IdGenerator(1);
  const b = new IdGenerator(1);
  const ids = Array.from({ length: 1000 }, () => a.nextId());
  expect(Array.from({ length: 1000 }, () => b.nextId())).toEqual(ids);
  expect(new Set(ids).size).toBe(1000);
  for (const id of ids) {
    expect(Number.isSafeInteger(id)).toBe(true);
    expect(id).toBeGreaterThanOrEqual(1_000_000_000);
  }
  expect(new IdGenerator(2).nextId()).not.toBe(ids[0]);
});

test('reset starts over; reserved ids are never issued', () => {
  const ids = new IdGenerator(9);
  const first = ids.nextId();
  ids.nextId();
  ids.reset();
  expect(ids.nextId()).toBe(first);
  ids.reset();
  ids.reserve(first);
  expect(ids.nextId()).not.toBe(first);
});

test('request ids count up and fit the spec pattern', () => {
  const ids = new IdGenerator(1);
  expect([ids.nextRequestId(), ids.nextRequestId()]).toEqual(['req-mock-000001', 'req-mock-000002']);
  ids.reset();
  expect(ids.nextRequestId()).toBe('req-mock-000001');
});
