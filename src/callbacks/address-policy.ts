// Which IP addresses a callback may connect to: public unicast only, unless the operator allows private
// networks. Guards against SSRF into the gateway's own network (metadata services, databases, admin ports).
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata at 169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 (embeds IPv4: checked below)
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** An IPv6 address as its 16 bytes (`::` expanded, a trailing dotted quad read, a zone id dropped); null if not one. */
export function ipv6Bytes(address: string): Uint8Array | null {
  const text = address.replace(/%.*$/, '');
  if (isIP(text) !== 6) return null;
  let head = text;
  let tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    head = dotted[1]!.endsWith('::') ? dotted[1]! : dotted[1]!.slice(0, -1);
    tail = dotted[2]!.split('.').map(Number);
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const groups = (part: string | undefined) => (part === undefined || part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const l = groups(left);
  const r = groups(right);
  const missing = 8 - tail.length / 2 - l.length - r.length;
  const words = right === undefined ? l : [...l, ...Array<number>(missing).fill(0), ...r];
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 255;
  });
  tail.forEach((b, i) => (bytes[12 + i] = b));
  return bytes;
}

const v4At = (b: Uint8Array, at: number, xor = 0): string => [0, 1, 2, 3].map((i) => (b[at + i]! ^ xor) & 255).join('.');
const startsWith = (b: Uint8Array, prefix: readonly number[]): boolean => prefix.every((p, i) => b[i] === p);

/**
 * The IPv4 addresses an IPv6 address reaches or carries, when it is one of the forms that tunnel or
 * translate to IPv4: IPv4-mapped (`::ffff:a.b.c.d`), NAT64 (`64:ff9b::/96`), 6to4 (`2002:AABB:CCDD::/48`
 * routes to A.B.C.D) and Teredo (`2001:0::/32`: the server's address, and the client's, stored inverted).
 * Null for other addresses.
 */
export function tunnelledIpv4(b: Uint8Array): string[] | null {
  const zeros = (n: number) => Array<number>(n).fill(0);
  if (startsWith(b, [...zeros(10), 0xff, 0xff])) return [v4At(b, 12)];
  if (startsWith(b, [0x00, 0x64, 0xff, 0x9b, ...zeros(8)])) return [v4At(b, 12)];
  if (startsWith(b, [0x20, 0x02])) return [v4At(b, 2)];
  if (startsWith(b, [0x20, 0x01, 0x00, 0x00])) return [v4At(b, 4), v4At(b, 12, 0xff)];
  return null;
}

/** True for loopback, private, link-local, multicast, reserved and unparseable addresses. */
export function isNonPublicAddress(address: string): boolean {
  const unbracketed = address.replace(/^\[|\]$/g, '');
  const family = isIP(unbracketed.replace(/%.*$/, ''));
  if (family === 4) return blocked.check(unbracketed, 'ipv4');
  if (family === 6) {
    const bytes = ipv6Bytes(unbracketed);
    if (bytes === null) return true;
    const v4 = tunnelledIpv4(bytes);
    // A tunnel or translation is as public as every IPv4 address it reaches.
    if (v4 !== null) return v4.some((a) => blocked.check(a, 'ipv4'));
    // IPv4-compatible (::a.b.c.d, deprecated) and local-use NAT64 (64:ff9b:1::/48) have no public use.
    if (startsWith(bytes, Array<number>(12).fill(0)) || startsWith(bytes, [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01])) return true;
    return blocked.check(unbracketed.replace(/%.*$/, ''), 'ipv6');
  }
  return true;
}
