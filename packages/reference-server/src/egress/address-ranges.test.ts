import { describe, expect, it } from 'vitest';
import { classifyAddress, embeddedIpv4Addresses, ipv6ToBytes } from './address-ranges.js';

// Pure classification of address strings: nothing here opens a socket.
describe('classifyAddress', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.254', 'shared'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.1', 'loopback'],
    ['169.254.169.254', 'link_local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.8', 'protocol_assignment'],
    ['192.0.2.1', 'documentation'],
    ['192.88.99.1', 'reserved'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.7', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::7f00:1', 'reserved'],
    ['100::1', 'reserved'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['fc00::1', 'unique_local'],
    ['fd12:3456::1', 'unique_local'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['febf::1', 'link_local'],
    ['fec0::1', 'site_local'],
    ['ff02::1', 'multicast'],
    ['64:ff9b:1::1', 'private'],
  ])('refuses %s as %s', (address, kind) => {
    expect(classifyAddress(address)?.kind).toBe(kind);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback', '127.0.0.1'],
    ['::ffff:7f00:1', 'loopback', '127.0.0.1'],
    ['::ffff:a9fe:a9fe', 'link_local', '169.254.169.254'],
    ['::ffff:10.1.2.3', 'private', '10.1.2.3'],
    ['64:ff9b::7f00:1', 'loopback', '127.0.0.1'],
    ['64:ff9b::192.168.0.1', 'private', '192.168.0.1'],
    ['2002:7f00:1::1', 'loopback', '127.0.0.1'],
    ['2002:a9fe:a9fe::', 'link_local', '169.254.169.254'],
    // Teredo: client address is the inverted last 32 bits (~127.0.0.1 = 80ff:fffe).
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback', '127.0.0.1'],
  ])('refuses %s, which embeds a refused IPv4 address', (address, kind, embedded) => {
    expect(classifyAddress(address)).toEqual({ kind, embeddedIpv4: embedded });
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '1.1.1.1',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '169.253.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('allows the public address %s', (address) => {
    expect(classifyAddress(address)).toBeUndefined();
  });

  it('refuses anything that is not an IP address', () => {
    expect(classifyAddress('localhost')).toEqual({ kind: 'reserved' });
    expect(classifyAddress('')).toEqual({ kind: 'reserved' });
  });
});

describe('ipv6ToBytes', () => {
  it('expands compressed forms and a trailing dotted quad', () => {
    expect(Array.from(ipv6ToBytes('::1') ?? [])).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(Array.from(ipv6ToBytes('::ffff:1.2.3.4') ?? []).slice(10)).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect(Array.from(ipv6ToBytes('2001:db8:0:0:1::') ?? []).slice(0, 10)).toEqual([
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1,
    ]);
    expect(ipv6ToBytes('127.0.0.1')).toBeUndefined();
  });

  it('finds no embedded IPv4 in native IPv6 addresses', () => {
    expect(embeddedIpv4Addresses('2606:4700::1111')).toEqual([]);
  });
});
