import { describe, expect, test } from 'vitest';
import { MAPPING_URL_CASES, MAPPING_URL_VALIDITY_CASES } from '../../../test/support/mapping-url-cases.js';
import { isValidMappingUrl, mappingUrlMatches, selectMapping } from './mapping-rules.js';

describe('mappingUrlMatches', () => {
  test.each(MAPPING_URL_CASES)('%s', (_label, mappingUrl, requestUrl, applies) => {
    expect(mappingUrlMatches(mappingUrl, requestUrl)).toBe(applies);
  });
});

describe('isValidMappingUrl', () => {
  test.each(MAPPING_URL_VALIDITY_CASES)('%s', (_label, url, valid) => {
    expect(isValidMappingUrl(url)).toBe(valid);
  });
});

describe('selectMapping', () => {
  const API = 'https://api.example.com';
  test('the exact URL wins over a longer prefix', () => {
    const exact = { url: `${API}/v2/users` };
    expect(selectMapping([{ url: `${API}/v2/users*` }, exact], `${API}/v2/users`)).toBe(exact);
  });

  test('else the longest applicable prefix', () => {
    const longer = { url: `${API}/v2/*` };
    expect(selectMapping([{ url: `${API}*` }, longer, { url: `${API}/v3/*` }], `${API}/v2/x`)).toBe(longer);
  });

  test('a tie at the deciding level is ambiguous: none applies', () => {
    expect(selectMapping([{ url: `${API}/v2/*` }, { url: `${API}/v2/*` }], `${API}/v2/x`)).toBeUndefined();
    expect(
      selectMapping([{ url: `${API}/x` }, { url: `${API}/x` }, { url: `${API}*` }], `${API}/x`),
    ).toBeUndefined();
  });

  test('nothing applicable', () => {
    expect(selectMapping([{ url: `${API}/v2/*` }], 'https://other.example.com/v2/x')).toBeUndefined();
    expect(selectMapping([], `${API}/`)).toBeUndefined();
  });
});
