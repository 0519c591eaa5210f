import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstreamEndpoint, retryAfterMs, sendUpstream, TransportError } from './http.ts';

let server: Server;
let base: string;
let bytesSent = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/big') {
      // A v1-recording-like answer: megabytes of inline audio, streamed.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"recording":["data:audio/wav;base64,');
      const chunk = 'A'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 200 && res.write(chunk)) {
          sent += 1;
          bytesSent += chunk.length;
        }
        if (sent < 200) res.once('drain', pump);
        else res.end('"]}');
      };
      pump();
      return;
    }
    if (req.url === '/hang') return; // never answers
    res.writeHead(404, { 'content-type': 'application/json', 'retry-after': '3' });
    res.end(JSON.stringify({ error_code: 'not_found', message: 'Call not found', request_id: 'req_1' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('sendUpstream', () => {
  it('parses JSON answers and lower-cases headers', async () => {
    const endpoint = createUpstreamEndpoint(base, { timeoutMs: 2000 });
    const res = await sendUpstream(endpoint, { method: 'DELETE', path: '/agents/calls/x', headers: {} });
    expect(res).toMatchObject({ status: 404, truncated: false, json: { error_code: 'not_found', request_id: 'req_1' } });
    expect(res.headers['retry-after']).toBe('3');
    await endpoint.close();
  });

  it('keeps at most maxBodyBytes of a large answer and stops reading it', async () => {
    const endpoint = createUpstreamEndpoint(base, { timeoutMs: 5000 });
    const res = await sendUpstream(endpoint, { method: 'GET', path: '/big', headers: {}, maxBodyBytes: 16 * 1024 });
    expect(res.truncated).toBe(true);
    expect(res.text.length).toBe(16 * 1024);
    expect(res.json).toBeUndefined();
    await new Promise((r) => setTimeout(r, 100));
    expect(bytesSent).toBeLessThan(200 * 64 * 1024);
    await endpoint.close();
  });

  it('gives up on a hung request after the timeout', async () => {
    const endpoint = createUpstreamEndpoint(base, { timeoutMs: 200 });
    const err = await sendUpstream(endpoint, { method: 'GET', path: '/hang', headers: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('timeout');
    expect((err as TransportError).latencyMs).toBeLessThan(1000);
    await endpoint.pool.destroy();
  });

  it('reports a refused connection as a transport error', async () => {
    const endpoint = createUpstreamEndpoint('http://127.0.0.1:1', { timeoutMs: 1000 });
    const err = await sendUpstream(endpoint, { method: 'GET', path: '/', headers: {} }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TransportError', code: 'connection' });
  });
});

describe('retryAfterMs', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  it('prefers retry-after-ms, then retry-after seconds or date', () => {
    expect(retryAfterMs({ 'retry-after-ms': '250.5', 'retry-after': '9' }, now)).toBe(251);
    expect(retryAfterMs({ 'retry-after': '2' }, now)).toBe(2000);
    expect(retryAfterMs({ 'retry-after': 'Sun, 01 Mar 2026 12:01:00 GMT' }, now)).toBe(60_000);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
  });
});
