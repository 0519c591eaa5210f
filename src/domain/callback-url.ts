// Whether a callback URL may be accepted. The host must be on the operator's allow-list (exact name, or
// `*.example.com` for its subdomains); IP literals in private ranges need `allowPrivateNetworks`; the port
// must be allowed (443 unless the operator lists more), so a callback cannot reach another service on an
// allowed host. The delivery side checks resolved addresses again (DNS can change after intake).
import { isIP } from 'node:net';

export type CallbackPolicy = {
  allowedHosts: readonly string[];
  allowPrivateNetworks: boolean;
  /** Plain http is accepted only where the operator allows it (sandbox, or private networks allowed). */
  allowHttp: boolean;
  /** Ports a callback may connect to (the scheme's default when the URL names none); `any`: every port. */
  allowedPorts: readonly number[] | 'any';
};

/** Only HTTPS's own port, unless the operator says more (`callbacks.allowedPorts`). */
export const DEFAULT_CALLBACK_PORTS: readonly number[] = [443];

export type CallbackVerdict =
  | { ok: true; url: string }
  | { ok: false; reason: 'invalid'; message: string }
  | { ok: false; reason: 'host-not-allowed'; message: string };

/** The port a URL connects to: the one it names, or its scheme's default. */
export function effectivePort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'http:' ? 80 : 443;
}

export function hostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  const h = host.toLowerCase();
  return allowedHosts.some((entry) => {
    const e = entry.toLowerCase();
    if (e.startsWith('*.')) return h.endsWith(e.slice(1)) && h.length > e.length - 1;
    return h === e;
  });
}

/** Loopback, RFC 1918, link-local, CGNAT, unique-local and unspecified addresses. */
export function isPrivateAddress(address: string): boolean {
  const kind = isIP(address);
  if (kind === 4) {
    const [a = 0, b = 0] = address.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  if (kind === 6) {
    const v = address.toLowerCase();
    if (v === '::1' || v === '::') return true;
    if (v.startsWith('::ffff:')) return isPrivateAddress(v.slice(7));
    return /^f[cd]/.test(v) || /^fe[89ab]/.test(v);
  }
  return false;
}

export function checkCallbackUrl(raw: string, policy: CallbackPolicy): CallbackVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'invalid', message: 'not a valid URL' };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    return { ok: false, reason: 'invalid', message: policy.allowHttp ? 'must be an http or https URL' : 'must be an https URL' };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'invalid', message: 'must not contain credentials' };
  if (url.hash !== '') return { ok: false, reason: 'invalid', message: 'must not contain a fragment' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!hostAllowed(host, policy.allowedHosts)) {
    const configured = policy.allowedHosts.length === 0 ? 'no callback hosts are configured' : 'it is not in callbacks.allowedHosts';
    return { ok: false, reason: 'host-not-allowed', message: `callback host "${host}" is not allowed: ${configured}` };
  }
  if (!policy.allowPrivateNetworks && isPrivateAddress(host)) {
    return { ok: false, reason: 'host-not-allowed', message: `callback host "${host}" is a private address and callbacks.allowPrivateNetworks is false` };
  }
  const port = effectivePort(url);
  if (policy.allowedPorts !== 'any' && !policy.allowedPorts.includes(port)) {
    return {
      ok: false,
      reason: 'host-not-allowed',
      message: `callback port ${port} is not allowed: callbacks.allowedPorts is ${JSON.stringify(policy.allowedPorts)}`,
    };
  }
  return { ok: true, url: url.toString() };
}

/**
 * A callback URL as the API shows it: its query, where callers usually put a token, replaced by `?…`
 * (`https://portal.internal/cb?…`). Only the stored URL is ever called.
 */
export function maskCallbackUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Stored URLs were parsed at intake; should one not parse, show nothing of it.
    return '…';
  }
  return `${parsed.origin}${parsed.pathname}${parsed.search === '' ? '' : '?…'}`;
}
