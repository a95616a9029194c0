import { describe, expect, it, vi } from 'vitest';
import {
  EgressPolicy,
  EgressRefusedError,
  isMetadataAddress,
  parseEgressAllowlist,
} from './egress-policy.js';

// URL-level checks only: nothing here resolves a name or opens a socket.
function refusalOf(policy: EgressPolicy, url: string): EgressRefusedError | undefined {
  try {
    policy.assertUrlAllowed(new URL(url));
    return undefined;
  } catch (error) {
    if (error instanceof EgressRefusedError) return error;
    throw error;
  }
}

describe('EgressPolicy.assertUrlAllowed', () => {
  const policy = new EgressPolicy();

  it.each([
    'http://127.0.0.1/',
    'http://127.1/',
    'http://127.0.1/',
    'http://2130706433/',
    'http://017700000001/',
    'http://0177.0.0.1/',
    'http://0x7f.1/',
    'http://0x7f000001/',
    'http://0x7F.0x00.0x00.0x01/',
    'http://127.0.0.1./',
    'http://%31%32%37.0.0.1/',
    'http://①②⑦.0.0.1/',
    'https://127.0.0.1:8443/path?q=1',
    'http://[::1]/',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[64:ff9b::127.0.0.1]/',
    'http://[2002:7f00:1::]/',
    'http://[::127.0.0.1]/',
  ])('refuses the loopback notation %s', (url) => {
    const error = refusalOf(policy, url);
    expect(error).toBeInstanceOf(EgressRefusedError);
    expect(error?.code).toBe('destination_blocked');
    expect(['loopback', 'reserved']).toContain(error?.reason);
  });

  it.each([
    ['http://0/', 'unspecified'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://169.254.169.254/latest/meta-data/', 'link_local'],
    ['http://[fe80::1]/', 'link_local'],
    ['http://100.64.0.1/', 'shared'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://255.255.255.255/', 'broadcast'],
    ['http://[fd00::1]/', 'unique_local'],
    ['http://192.0.2.1/', 'documentation'],
  ])('refuses %s (%s) without looking anything up', (url, reason) => {
    expect(refusalOf(policy, url)?.reason).toBe(reason);
  });

  it('refuses other schemes and port 0', () => {
    expect(refusalOf(policy, 'ftp://example.com/')?.reason).toBe('scheme');
    expect(refusalOf(policy, 'file:///etc/passwd')?.reason).toBe('scheme');
    expect(refusalOf(policy, 'http://example.com:0/')?.reason).toBe('port');
  });

  it('lets names through (they are checked on their resolved addresses) and public IP literals', () => {
    expect(refusalOf(policy, 'https://api.example.com/hooks')).toBeUndefined();
    expect(refusalOf(policy, 'https://localhost/')).toBeUndefined();
    expect(refusalOf(policy, 'https://93.184.215.14/')).toBeUndefined();
  });

  it('never names the refused address of a name in the detail, and reports every refusal', () => {
    const onRefused = vi.fn();
    const reporting = new EgressPolicy({ onRefused });
    expect(() =>
      reporting.assertAddressAllowed({ host: 'internal.example.com', port: 443, address: '10.1.2.3' }),
    ).toThrow(/internal\.example\.com resolves to a private \(RFC 1918\) address/);
    const error = onRefused.mock.calls[0]?.[0] as EgressRefusedError;
    expect(error.detail).not.toContain('10.1.2.3');
    expect(error.address).toBe('10.1.2.3');
  });
});

describe('allowlist (MTLS_EGRESS_ALLOW)', () => {
  it('exempts host:port, IPs and CIDRs', () => {
    const policy = new EgressPolicy({
      allow: [
        'localhost:8443',
        'partner.internal:1',
        '*.corp.example:443',
        '127.0.0.2',
        '[::1]:9443',
        '10.20.0.0/16',
      ],
    });
    expect(() =>
      policy.assertAddressAllowed({ host: 'localhost', port: 8443, address: '127.0.0.1' }),
    ).not.toThrow();
    expect(() =>
      policy.assertAddressAllowed({ host: 'LOCALHOST.', port: 8443, address: '127.0.0.1' }),
    ).not.toThrow();
    expect(() =>
      policy.assertAddressAllowed({ host: 'localhost', port: 8444, address: '127.0.0.1' }),
    ).toThrow(EgressRefusedError);
    expect(() =>
      policy.assertAddressAllowed({ host: 'partner.internal', port: 1, address: '10.9.9.9' }),
    ).not.toThrow();
    expect(() =>
      policy.assertAddressAllowed({ host: 'a.corp.example', port: 443, address: '10.9.9.9' }),
    ).not.toThrow();
    expect(() =>
      policy.assertAddressAllowed({ host: 'corp.example', port: 443, address: '10.9.9.9' }),
    ).toThrow();
    expect(() => policy.assertUrlAllowed(new URL('http://127.0.0.2/'))).not.toThrow();
    expect(() => policy.assertUrlAllowed(new URL('http://127.0.0.3/'))).toThrow(EgressRefusedError);
    expect(() => policy.assertUrlAllowed(new URL('https://[::1]:9443/'))).not.toThrow();
    expect(() => policy.assertUrlAllowed(new URL('https://[::1]:9444/'))).toThrow(EgressRefusedError);
    expect(() =>
      policy.assertAddressAllowed({ host: 'x.example', port: 443, address: '10.20.3.4' }),
    ).not.toThrow();
    expect(() =>
      policy.assertAddressAllowed({ host: 'x.example', port: 443, address: '10.21.3.4' }),
    ).toThrow();
  });

  it('decides a literal the same way every time: allowed ones are remembered per port, refusals never', () => {
    const refusals: string[] = [];
    const policy = new EgressPolicy({
      allow: ['[::1]:9443'],
      onRefused: (error) => refusals.push(error.reason),
    });
    for (let round = 0; round < 3; round++) {
      expect(() => policy.assertUrlAllowed(new URL('https://[::1]:9443/a'))).not.toThrow();
      expect(() => policy.assertUrlAllowed(new URL('https://[::1]:9444/a'))).toThrow(EgressRefusedError);
      expect(() => policy.assertUrlAllowed(new URL('http://127.0.0.1:9443/'))).toThrow(EgressRefusedError);
    }
    expect(refusals).toHaveLength(6);
  });

  it('names the malformed entry', () => {
    expect(() => parseEgressAllowlist(['10.0.0.0/33'])).toThrow(/10\.0\.0\.0\/33/);
    expect(() => parseEgressAllowlist(['host:99999'])).toThrow(/host:99999/);
    expect(() => parseEgressAllowlist(['a b'])).toThrow(/a b/);
  });

  it('refuses a host entry without a port; IPs and CIDRs may go without one', () => {
    expect(() => parseEgressAllowlist(['partner.example'])).toThrow(
      /"partner\.example" names a host without a port/,
    );
    expect(() => parseEgressAllowlist(['*.corp.example'])).toThrow(/"\*\.corp\.example"/);
    expect(() => parseEgressAllowlist(['10.0.0.5', '[::1]', '::1', '10.0.0.0/8', 'fd00::/8'])).not.toThrow();
  });

  it('never lets an allowed host:port reach a link-local or metadata address', () => {
    const policy = new EgressPolicy({ allow: ['partner.example:443', '*.corp.example:443'] });
    for (const address of [
      '169.254.169.254',
      '169.254.1.1',
      'fe80::1',
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
      '64:ff9b::169.254.169.254',
      'fd00:ec2::254',
      '100.100.100.200',
    ]) {
      expect(() => policy.assertAddressAllowed({ host: 'partner.example', port: 443, address })).toThrow(
        EgressRefusedError,
      );
      expect(() => policy.assertAddressAllowed({ host: 'a.corp.example', port: 443, address })).toThrow(
        EgressRefusedError,
      );
    }
    // Other special-purpose addresses stay allowed for the named host:port, and only on that port.
    expect(() =>
      policy.assertAddressAllowed({ host: 'partner.example', port: 443, address: '10.1.2.3' }),
    ).not.toThrow();
    expect(() =>
      policy.assertAddressAllowed({ host: 'partner.example', port: 8443, address: '10.1.2.3' }),
    ).toThrow(EgressRefusedError);
  });

  it('lets an IP or CIDR entry allow a link-local address explicitly', () => {
    const policy = new EgressPolicy({ allow: ['169.254.10.0/24', 'partner.example:443'] });
    expect(() =>
      policy.assertAddressAllowed({ host: 'partner.example', port: 443, address: '169.254.10.7' }),
    ).not.toThrow();
    expect(() =>
      policy.assertAddressAllowed({ host: 'partner.example', port: 443, address: '169.254.169.254' }),
    ).toThrow(EgressRefusedError);
  });

  it('isMetadataAddress', () => {
    expect(isMetadataAddress('169.254.169.254')).toBe(true);
    expect(isMetadataAddress('[fe80::1%eth0]')).toBe(true);
    expect(isMetadataAddress('::ffff:169.254.169.254')).toBe(true);
    expect(isMetadataAddress('10.0.0.1')).toBe(false);
    expect(isMetadataAddress('127.0.0.1')).toBe(false);
    expect(isMetadataAddress('not-an-ip')).toBe(false);
  });
});
