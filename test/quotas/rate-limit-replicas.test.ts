// Two gateway replicas (ROLE=api processes, `node src/main.ts`) on one database share each key's write
// limit: the count is in Postgres, so a key allowed 5 writes a minute gets 5 in all, whichever replica
// takes them, and then 429 with Retry-After from both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { startGatewayProcess, type GatewayProcess } from '../faults/helpers/gateway-process.ts';
import { writeConfigFile } from '../faults/helpers/fault-config.ts';
import { KEYS, requestBody, testConfigFile } from '../http/harness.ts';

let database: TestDatabase;
let config: { file: string; remove(): void };
const replicas: GatewayProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const apiKeys = (testConfigFile().apiKeys as Array<Record<string, unknown>>).map((k) => (k.name === 'portal' ? { ...k, rateLimit: { perMinute: 5 } } : k));
  config = writeConfigFile(testConfigFile({ apiKeys }));
  for (let i = 0; i < 2; i++) replicas.push(await startGatewayProcess({ role: 'api', databaseUrl: database.url, configFile: config.file }));
}, 90_000);

afterAll(async () => {
  for (const r of replicas) await r.stop();
  config?.remove();
  await database?.close();
});

describe('the write limit across replicas', () => {
  it('is one count: 5 writes in all are accepted, then both replicas answer 429 with Retry-After', async () => {
    const answers: Array<{ replica: number; status: number; retryAfter: string | null; type?: string }> = [];
    for (let i = 0; i < 8; i++) {
      const replica = i % 2;
      const res = await fetch(`${replicas[replica]!.baseUrl}/v1/erasure-requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEYS.writer}`, 'content-type': 'application/json' },
        body: JSON.stringify(requestBody({ externalRef: `REPLICA-${i}` })),
      });
      const body = (await res.json()) as { type?: string };
      answers.push({ replica, status: res.status, retryAfter: res.headers.get('retry-after'), ...(res.status === 429 ? { type: body.type } : {}) });
    }
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202, 429, 429, 429]);
    // Each replica accepted some and refused some: neither counted alone (alone, each saw only 4 writes).
    for (const replica of [0, 1]) {
      const mine = answers.filter((a) => a.replica === replica).map((a) => a.status);
      expect(mine).toContain(202);
      expect(mine).toContain(429);
    }
    for (const refused of answers.filter((a) => a.status === 429)) {
      expect(refused.type).toBe('https://erasure-gateway.dev/problems/rate-limited');
      // 5 a minute: one write every 12 s; a few seconds have passed since the fifth at most.
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(12);
    }
    const stored = await database.db.selectFrom('erasure_request').select('external_ref').where('external_ref', 'like', 'REPLICA-%').orderBy('external_ref').execute();
    expect(stored.map((r) => r.external_ref)).toEqual(['REPLICA-0', 'REPLICA-1', 'REPLICA-2', 'REPLICA-3', 'REPLICA-4']);
  }, 60_000);
});
