// A DNS lookup for callback connections that refuses non-public addresses. It runs inside the connection
// itself (undici → net.connect's `lookup`), so the address checked is the address connected to: a DNS
// answer that changes between a check and the connect (rebinding) cannot slip through.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isNonPublicAddress } from './address-policy.ts';

export class RefusedAddressError extends Error {
  readonly code = 'ERR_CALLBACK_ADDRESS_REFUSED';
  constructor(hostname: string) {
    // The hostname is configuration, not personal data; the addresses are left out on purpose.
    super(`callback host ${hostname} resolves to a private, loopback or link-local address`);
    this.name = 'RefusedAddressError';
  }
}

export type Resolver = (hostname: string, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemResolver: Resolver = (hostname, callback) => dnsLookup(hostname, { all: true, verbatim: true }, callback);

export function guardedLookup(resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const family = typeof options.family === 'number' ? options.family : 0;
      const usable = addresses.filter((a) => family === 0 || a.family === family);
      // Every address must be public: a mixed answer is how rebinding attacks hide the private one.
      if (usable.length === 0 || addresses.some((a) => isNonPublicAddress(a.address))) {
        return callback(new RefusedAddressError(hostname), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      return callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}
