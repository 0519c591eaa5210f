// Callback delivery below the worker: signature, URL and address policy, and how receivers' answers are
// classified (delivered / retried / failed), against a real HTTP receiver on 127.0.0.1.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isNonPublicAddress } from '../../src/callbacks/address-policy.ts';
import { createCallbackTransport, deliverCallback, type CallbackAttempt } from '../../src/callbacks/deliver-callback.ts';
import { guardedLookup, RefusedAddressError, type Resolver } from '../../src/callbacks/guarded-lookup.ts';
import { callbackSignature, verifyCallbackSignature } from '../../src/callbacks/signature.ts';
import { callbackSettingsFromConfig, type CallbackSettings } from '../../src/callbacks/url-policy.ts';
import { startCallbackReceiver, type CallbackReceiver } from './callback-receiver.ts';

const SECRET = 'whsec_test_0123456789abcdef';
const NOW = new Date('2026-03-01T12:00:00.000Z');

describe('callback signature', () => {
  it('is v1=hex HMAC-SHA256 over "<timestamp>.<body>"', () => {
    // Reference value computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac key
    expect(callbackSignature('key', 1700000000, '{"a":1}')).toBe('v1=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03');
  });

  it('verifies, and refuses another body, another secret or a stale timestamp', () => {
    const ts = 1_772_366_400;
    const sig = callbackSignature(SECRET, ts, '{"status":"completed"}');
    const headers = { timestamp: String(ts), signature: sig };
    expect(verifyCallbackSignature(SECRET, headers, '{"status":"completed"}', ts + 10)).toBe(true);
    expect(verifyCallbackSignature(SECRET, headers, '{"status":"failed"}', ts + 10)).toBe(false);
    expect(verifyCallbackSignature('other', headers, '{"status":"completed"}', ts + 10)).toBe(false);
    expect(verifyCallbackSignature(SECRET, headers, '{"status":"completed"}', ts + 3600)).toBe(false);
  });
});

describe('address policy', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1',
    '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '64:ff9b::a9fe:a9fe', 'not-an-ip',
    // 6to4 (2002:AABB:CCDD::) to 127.0.0.1, 10.0.0.1 and 169.254.169.254
    '2002:7f00:1::', '2002:a00:1::1', '2002:a9fe:a9fe::', '[2002:a9fe:a9fe:0:0:0:0:1]',
    // Teredo: a private client (10.0.0.1, stored inverted) behind a public server; a private server
    '2001:0:4136:e378:8000:63bf:f5ff:fffe', '2001:0000:0a00:0001:8000:63bf:f7f7:f7f7',
    // IPv4-compatible (deprecated) and local-use NAT64
    '::8.8.8.8', '64:ff9b:1::808:808', 'fe80::1%eth0',
  ])('refuses %s', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each([
    '93.184.215.14', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808',
    '2002:5db8:d70e::1', // 6to4 to 93.184.215.14
    '2001:0:4136:e378:8000:63bf:f7f7:f7f7', // Teredo: server 65.54.227.120, client 8.8.8.8
  ])('allows public %s', (address) => {
    expect(isNonPublicAddress(address)).toBe(false);
  });

  it('the guarded lookup refuses a host when any resolved address is private (DNS rebinding)', async () => {
    const resolver: Resolver = (host, cb) =>
      cb(null, host === 'mixed.example' ? [{ address: '93.184.215.14', family: 4 }, { address: '10.0.0.5', family: 4 }] : [{ address: '93.184.215.14', family: 4 }]);
    const lookup = guardedLookup(resolver);
    const result = (host: string) =>
      new Promise<unknown>((resolve) => lookup(host, { all: true }, (err, addresses) => resolve(err ?? addresses)));
    expect(await result('mixed.example')).toBeInstanceOf(RefusedAddressError);
    expect(await result('public.example')).toEqual([{ address: '93.184.215.14', family: 4 }]);
  });
});

describe('callback settings', () => {
  it('come from the config; none without a secret', () => {
    const file = { callbacks: { allowedHosts: ['portal.internal'], allowPrivateNetworks: false, allowedPorts: [443], secret: { env: 'CB' }, timeoutMs: 5000 } };
    expect(callbackSettingsFromConfig({ file: file as never, secrets: new Map([['callbacks.secret', SECRET]]), sandbox: false })).toEqual({
      allowedHosts: ['portal.internal'],
      allowPrivateNetworks: false,
      allowHttp: false,
      allowedPorts: [443],
      secret: SECRET,
      timeoutMs: 5000,
    });
    expect(callbackSettingsFromConfig({ file: {} as never, secrets: new Map(), sandbox: true })).toBeNull();
  });
});

describe('deliverCallback', () => {
  let receiver: CallbackReceiver;
  const local: CallbackSettings = { allowedHosts: ['127.0.0.1', 'receiver.test'], allowPrivateNetworks: true, allowHttp: true, allowedPorts: 'any', secret: SECRET, timeoutMs: 2000 };
  const transport = createCallbackTransport(local);
  const attempt = (overrides: Partial<CallbackAttempt> = {}): CallbackAttempt => ({
    url: receiver.url,
    event: 'request.completed',
    deliveryId: '6f1c1c7e-8f43-4c2b-9a55-1f0d2b9b7a11',
    body: '{"id":"r1","status":"completed"}',
    now: NOW,
    ...overrides,
  });

  beforeAll(async () => {
    receiver = await startCallbackReceiver();
  });
  afterEach(() => {
    receiver.received.length = 0;
    receiver.answers.length = 0;
  });
  afterAll(async () => {
    await transport.close();
    await receiver.close();
  });

  it('POSTs the body with a signature the receiver can verify, and reports 2xx as delivered', async () => {
    const result = await deliverCallback(attempt(), local, transport);
    expect(result).toMatchObject({ outcome: 'delivered', statusCode: 204 });
    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(got.method).toBe('POST');
    expect(got.path).toBe('/hooks/erasure');
    expect(got.body).toBe('{"id":"r1","status":"completed"}');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-erasure-gateway-event']).toBe('request.completed');
    expect(got.headers['x-erasure-gateway-delivery']).toBe('6f1c1c7e-8f43-4c2b-9a55-1f0d2b9b7a11');
    expect(got.headers['x-erasure-gateway-timestamp']).toBe(String(NOW.getTime() / 1000));
    const headers = { timestamp: got.headers['x-erasure-gateway-timestamp'] as string, signature: got.headers['x-erasure-gateway-signature'] as string };
    expect(verifyCallbackSignature(SECRET, headers, got.body, NOW.getTime() / 1000)).toBe(true);
  });

  it.each([
    [500, 'retry'],
    [503, 'retry'],
    [408, 'retry'],
    [429, 'retry'],
    [400, 'failed'],
    [404, 'failed'],
    [410, 'failed'],
  ] as const)('classifies a %i answer as %s', async (status, outcome) => {
    receiver.answers.push({ status });
    expect(await deliverCallback(attempt(), local, transport)).toMatchObject({ outcome, statusCode: status });
  });

  it('honours Retry-After on 429/503', async () => {
    receiver.answers.push({ status: 429, headers: { 'retry-after': '120' } });
    expect(await deliverCallback(attempt(), local, transport)).toMatchObject({ outcome: 'retry', retryAfterMs: 120_000 });
  });

  it('does not follow redirects: a 3xx fails the delivery and the target is never called', async () => {
    receiver.answers.push({ status: 302, headers: { location: `http://127.0.0.1:${receiver.port}/elsewhere` } });
    const result = await deliverCallback(attempt(), local, transport);
    expect(result).toMatchObject({ outcome: 'failed', statusCode: 302 });
    expect(receiver.received.map((r) => r.path)).toEqual(['/hooks/erasure']);
  });

  it('retries a receiver that does not answer in time', async () => {
    receiver.answers.push({ status: 204, delayMs: 1500 });
    const result = await deliverCallback(attempt(), { ...local, timeoutMs: 300 }, transport);
    expect(result).toMatchObject({ outcome: 'retry', statusCode: null, reason: 'timeout' });
  });

  it('retries when nothing listens', async () => {
    const result = await deliverCallback(attempt({ url: 'http://127.0.0.1:9/hooks' }), local, transport);
    expect(result).toMatchObject({ outcome: 'retry', statusCode: null });
  });

  it('fails without a request when the host left the allow-list', async () => {
    const result = await deliverCallback(attempt(), { ...local, allowedHosts: ['portal.internal'] }, transport);
    expect(result).toMatchObject({ outcome: 'failed', statusCode: null });
    expect((result as { reason: string }).reason).toContain('not allowed');
    expect(receiver.received).toHaveLength(0);
  });

  it('fails without a request when the port is not in callbacks.allowedPorts', async () => {
    const result = await deliverCallback(attempt(), { ...local, allowedPorts: [443] }, transport);
    expect(result).toMatchObject({ outcome: 'failed', statusCode: null });
    expect((result as { reason: string }).reason).toContain(`port ${receiver.port} is not allowed`);
    expect(receiver.received).toHaveLength(0);
  });

  describe('without allowPrivateNetworks', () => {
    const strict: CallbackSettings = { ...local, allowPrivateNetworks: false, allowHttp: true };
    // A public-looking name that resolves to loopback, like a rebinding attacker's domain.
    const rebinding: Resolver = (_host, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]);
    const strictTransport = createCallbackTransport(strict, rebinding);
    afterAll(() => strictTransport.close());

    it('refuses a host that resolves to a loopback address, and sends nothing', async () => {
      const url = `http://receiver.test:${receiver.port}/hooks/erasure`;
      const result = await deliverCallback(attempt({ url }), strict, strictTransport);
      expect(result).toMatchObject({ outcome: 'failed', statusCode: null });
      expect((result as { reason: string }).reason).toMatch(/private, loopback or link-local/);
      expect(receiver.received).toHaveLength(0);
    });

    it('refuses a loopback IP literal before connecting', async () => {
      const result = await deliverCallback(attempt(), strict, strictTransport);
      expect(result).toMatchObject({ outcome: 'failed', statusCode: null });
      expect(receiver.received).toHaveLength(0);
    });
  });
});
