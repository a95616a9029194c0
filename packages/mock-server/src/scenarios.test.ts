import { describe, expect, test } from 'vitest';
import { InvalidScenarioError, parseScenarioFlag, ScenarioRegistry } from './scenarios.js';

describe('parseScenarioFlag', () => {
  test.each([
    ['503', { status: 503 }],
    ['status:404', { status: 404 }],
    ['problem:mapping_conflict', { status: 409, code: 'mapping_conflict' }],
    ['delay:250', { delayMs: 250 }],
    ['network-error', { networkError: true }],
    ['transport-failure', { transportFailure: true }],
    ['transport-failure:ETIMEDOUT', { transportFailure: { error: 'ETIMEDOUT' } }],
    ['delay:10, 500', { delayMs: 10, status: 500 }],
  ])('%s', (flag, scenario) => {
    expect(parseScenarioFlag(flag)).toEqual(scenario);
  });

  test.each(['explode', '200', 'delay:-1', 'status:abc', 'problem:Bad-Code', 'problem:made_up'])(
    "refuses %s (problem codes are the spec's)",
    (flag) => {
      expect(() => parseScenarioFlag(flag)).toThrow(InvalidScenarioError);
    },
  );
});

describe('ScenarioRegistry', () => {
  test('an operation’s own scenario wins over `*`; `times` counts down and removes it', () => {
    const registry = new ScenarioRegistry();
    registry.set('*', { status: 500 });
    registry.set('listCertificates', { status: 503, times: 2 });
    expect(registry.take('listCertificates')?.status).toBe(503);
    expect(registry.take('getHealth')?.status).toBe(500);
    expect(registry.take('listCertificates')?.status).toBe(503);
    expect(registry.take('listCertificates')?.status).toBe(500);
    expect(registry.list().map((entry) => entry.target)).toEqual(['*']);
    registry.clear();
    expect(registry.take('listCertificates')).toBeUndefined();
  });

  test('once applies a single time; invalid scenarios are refused', () => {
    const registry = new ScenarioRegistry();
    registry.once('getHealth', { networkError: true });
    expect(registry.take('getHealth')).toMatchObject({ networkError: true });
    expect(registry.take('getHealth')).toBeUndefined();
    expect(() => registry.set('getHealth', { status: 200 })).toThrow(/400 to 599/);
    expect(() => registry.set('getHealth', { times: 0 })).toThrow(InvalidScenarioError);
  });
});
