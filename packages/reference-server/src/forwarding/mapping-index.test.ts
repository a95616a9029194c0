import { selectMapping } from '@mtls-gateway/contract';
import { describe, expect, it } from 'vitest';
import { AccountMappingIndex, type ActiveMapping } from './mapping-index.js';

const mappings: ActiveMapping[] = [
  { certificateId: 1, serviceName: 'IDP', url: 'https://api.example.com/v2*' },
  { certificateId: 2, serviceName: 'IDP', url: 'https://api.example.com/v2/users/*' },
  { certificateId: 3, serviceName: 'WEBHOOKS', url: 'https://api.example.com/hooks?tenant=42' },
  { certificateId: 4, serviceName: 'IDP', url: 'https://api.example.com/hooks?tenant=42' },
  { certificateId: 5, serviceName: 'CRM', url: 'https://api.example.com*' },
  { certificateId: 6, serviceName: 'CRM', url: 'https://api.example.com:8443/*' },
  { certificateId: 7, serviceName: 'CRM', url: 'https://API.example.com/upper*' },
  { certificateId: 8, serviceName: 'OTHER', url: 'https://api.example.com/search?q=*' },
  { certificateId: 9, serviceName: 'OTHER', url: 'http://api.example.com/*' },
  { certificateId: 10, serviceName: 'IDP', url: 'https://a.example/x*' },
  { certificateId: 11, serviceName: 'CRM', url: 'https://a.example/x*' },
];

const urls = [
  'https://api.example.com/v2',
  'https://api.example.com/v2/users/42',
  'https://api.example.com/v20',
  'https://api.example.com/hooks?tenant=42',
  'https://api.example.com/hooks?tenant=43',
  'https://api.example.com',
  'https://api.example.com.attacker.tld/',
  'https://api.example.com@evil.example/',
  'https://api.example.com:8443/x',
  'https://api.example.com\\v2/x',
  'https://API.example.com/upper/1',
  'https://api.example.com/upper/1',
  'https://api.example.com/search?q=cats',
  'http://api.example.com/x',
  'https://a.example/x/1',
  'https://unmapped.example/',
  'not a url',
];

describe('AccountMappingIndex', () => {
  it('chooses what the contract rule chooses among all of the account mappings, for every service', () => {
    const index = new AccountMappingIndex(mappings);
    for (const serviceName of [undefined, 'IDP', 'WEBHOOKS', 'CRM', 'OTHER', 'MESSAGING']) {
      for (const url of urls) {
        const ofService = mappings.filter((m) => serviceName === undefined || m.serviceName === serviceName);
        expect([serviceName, url, index.lookup(serviceName, url)]).toEqual([
          serviceName,
          url,
          selectMapping(ofService, url),
        ]);
      }
    }
  });

  it('answers the cases that matter by name', () => {
    const index = new AccountMappingIndex(mappings);
    expect(index.lookup('IDP', 'https://api.example.com/v2/users/42')?.certificateId).toBe(2);
    expect(index.lookup(undefined, 'https://api.example.com/hooks?tenant=42')).toBeUndefined(); // two services
    expect(index.lookup('WEBHOOKS', 'https://api.example.com/hooks?tenant=42')?.certificateId).toBe(3);
    expect(index.lookup('CRM', 'https://api.example.com.attacker.tld/')).toBeUndefined();
    expect(index.lookup(undefined, 'https://a.example/x/1')).toBeUndefined(); // a tie
    expect(index.size).toBe(mappings.length);
  });
});
