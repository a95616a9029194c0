import { describe, expect, it, vi } from 'vitest';
import { EgressPolicy, EgressRefusedError, parseEgressAllowlist } from './egress-policy.js';

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
    expect(error?.status).toBe(403);
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
  it('exempts hosts, host:port, IPs and CIDRs', () => {
    const policy = new EgressPolicy({
      allow: [
        'localhost:8443',
        'partner.internal',
        '*.corp.example',
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

  it('names the malformed entry', () => {
    expect(() => parseEgressAllowlist(['10.0.0.0/33'])).toThrow(/10\.0\.0\.0\/33/);
    expect(() => parseEgressAllowlist(['host:99999'])).toThrow(/host:99999/);
    expect(() => parseEgressAllowlist(['a b'])).toThrow(/a b/);
  });
});
