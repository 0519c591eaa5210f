import { describe, expect, it } from 'vitest';
import { checkCallbackUrl, hostAllowed, maskCallbackUrl } from './callback-url.ts';

const policy = { allowedHosts: ['portal.internal', '*.example.com', '10.0.0.5'], allowPrivateNetworks: false, allowHttp: false, allowedPorts: [443] };

describe('checkCallbackUrl', () => {
  it('accepts https URLs on allowed hosts, including wildcard subdomains', () => {
    expect(checkCallbackUrl('https://portal.internal/hooks/erasure', policy)).toEqual({ ok: true, url: 'https://portal.internal/hooks/erasure' });
    expect(checkCallbackUrl('https://a.b.example.com/x', policy).ok).toBe(true);
    expect(hostAllowed('example.com', ['*.example.com'])).toBe(false);
    expect(hostAllowed('PORTAL.internal', ['portal.internal'])).toBe(true);
  });
  it('refuses plain http unless allowed, credentials and fragments', () => {
    expect(checkCallbackUrl('http://portal.internal/x', policy)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(checkCallbackUrl('http://portal.internal/x', { ...policy, allowHttp: true, allowedPorts: [80] }).ok).toBe(true);
    expect(checkCallbackUrl('https://user:pw@portal.internal/x', policy)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(checkCallbackUrl('https://portal.internal/x#frag', policy)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(checkCallbackUrl('ftp://portal.internal/x', policy)).toMatchObject({ ok: false, reason: 'invalid' });
  });
  it('refuses hosts not on the list, and private addresses unless allowed', () => {
    expect(checkCallbackUrl('https://evil.test/x', policy)).toMatchObject({ ok: false, reason: 'host-not-allowed' });
    expect(checkCallbackUrl('https://10.0.0.5/x', policy)).toMatchObject({ ok: false, reason: 'host-not-allowed' });
    expect(checkCallbackUrl('https://10.0.0.5/x', { ...policy, allowPrivateNetworks: true }).ok).toBe(true);
    expect(checkCallbackUrl('https://portal.internal/x', { ...policy, allowedHosts: [] })).toMatchObject({
      ok: false,
      message: expect.stringContaining('no callback hosts are configured'),
    });
  });
  it('allows port 443 only, unless allowedPorts says more', () => {
    expect(checkCallbackUrl('https://portal.internal:443/x', policy).ok).toBe(true);
    expect(checkCallbackUrl('https://portal.internal:8443/x', policy)).toMatchObject({ ok: false, reason: 'host-not-allowed', message: expect.stringContaining('port 8443') });
    expect(checkCallbackUrl('https://portal.internal:22/x', policy)).toMatchObject({ ok: false, reason: 'host-not-allowed' });
    // Plain http means port 80 unless the URL names one: not 443.
    expect(checkCallbackUrl('http://portal.internal/x', { ...policy, allowHttp: true })).toMatchObject({ ok: false, message: expect.stringContaining('port 80') });
    expect(checkCallbackUrl('https://portal.internal:8443/x', { ...policy, allowedPorts: [443, 8443] }).ok).toBe(true);
    expect(checkCallbackUrl('http://127.0.0.1:5173/x', { ...policy, allowedHosts: ['127.0.0.1'], allowHttp: true, allowPrivateNetworks: true, allowedPorts: 'any' }).ok).toBe(true);
  });
});

describe('maskCallbackUrl', () => {
  it('replaces the query, where tokens sit, and keeps scheme, host, port and path', () => {
    expect(maskCallbackUrl('https://portal.internal/cb?token=s3cr3t&x=1')).toBe('https://portal.internal/cb?…');
    expect(maskCallbackUrl('https://portal.internal:8443/hooks/erasure')).toBe('https://portal.internal:8443/hooks/erasure');
    expect(maskCallbackUrl('not a url')).toBe('…');
  });
});
