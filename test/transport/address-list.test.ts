// The IP membership check used by the IP filter and the trusted-proxy logic: IPv4 ranges are
// matched in JavaScript (node:net's BlockList.check costs microseconds per call), so it is
// checked here against BlockList itself on fixed edge cases and random addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockList, isIP } from 'node:net';
import { compileAddressList, compileMembership, ipv4ToNumber } from '../../src/net/client-ip.js';

const ENTRIES = [
  '10.0.0.0/8',
  '192.168.1.0/24',
  '192.168.1.128/25',
  '172.16.5.4',
  '0.0.0.0/32',
  '255.255.255.255',
  '100.64.0.0/10',
  '127.0.0.0/31',
  '::1',
  '2001:db8::/32',
];

function reference(entries: string[]): (ip: string) => boolean {
  const ref = new BlockList();
  for (const e of entries) {
    const [a, b] = e.split('/');
    const t = isIP(a) === 6 ? 'ipv6' : 'ipv4';
    if (b) ref.addSubnet(a, Number(b), t);
    else ref.addAddress(a, t);
  }
  return (ip) => {
    const v = isIP(ip);
    return v !== 0 && ref.check(ip, v === 6 ? 'ipv6' : 'ipv4');
  };
}

test('IPv4 parsing is strict (no leading zeros, no missing or extra parts)', () => {
  assert.equal(ipv4ToNumber('0.0.0.0'), 0);
  assert.equal(ipv4ToNumber('255.255.255.255'), 2 ** 32 - 1);
  assert.equal(ipv4ToNumber('127.0.0.1'), 0x7f000001);
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.256', '1..2.3', '1.2.3.4 ', 'a.b.c.d', '::1', '1.2.3.-4'])
    assert.equal(ipv4ToNumber(bad), -1, bad);
});

test('membership agrees with node:net BlockList on edge cases and 20000 random addresses', () => {
  const mine = compileMembership(compileAddressList(ENTRIES));
  const ref = reference(ENTRIES);
  const samples = [
    '10.1.2.3',
    '11.0.0.0',
    '9.255.255.255',
    '192.168.1.5',
    '192.168.2.1',
    '172.16.5.4',
    '172.16.5.5',
    '0.0.0.0',
    '0.0.0.1',
    '255.255.255.255',
    '100.64.0.1',
    '100.127.255.255',
    '100.128.0.0',
    '127.0.0.1',
    '127.0.0.2',
    '::1',
    '::2',
    '2001:db8::5',
    '2001:db9::',
    'x',
    '',
    '01.2.3.4',
    '::ffff:10.0.0.1',
    '::ffff:11.0.0.1',
  ];
  for (let i = 0; i < 20000; i++) samples.push([0, 0, 0, 0].map(() => Math.floor(Math.random() * 256)).join('.'));
  for (const ip of samples) assert.equal(mine(ip), ref(ip), ip);
});

test('invalid entries are refused', () => {
  for (const bad of ['10.0.0.0/33', '::1/129', '10.0.0.0/8/1', 'example.com', '10.0.0.0/x'])
    assert.throws(() => compileAddressList([bad]), /is not an IP address or CIDR/, bad);
});
