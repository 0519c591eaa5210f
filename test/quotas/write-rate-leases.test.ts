// Keys allowed many writes a second take them in leases (services/write-rate-limit.ts): one statement
// per lease, not per write; leased writes are counted at once, so two replicas together never admit more
// than the limit; a lease not spent within a second is lost, never spent late.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.ts';
import { emissionIntervalMs } from '../../src/domain/write-rate.ts';
import { createWriteRateLimiter, leaseSize } from '../../src/services/write-rate-limit.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

const tatOf = async (name: string) => (await database.db.selectFrom('api_key_rate').select('tat').where('api_key_name', '=', name).executeTakeFirstOrThrow()).tat;

describe('write leases', () => {
  it('sizes a lease at a twentieth of a second of budget, 1 to 32: the default 600 a minute is counted write by write', () => {
    expect(leaseSize(600)).toBe(1);
    expect(leaseSize(6_000)).toBe(5);
    expect(leaseSize(1_000_000)).toBe(32);
  });

  it('takes a lease in one statement and spends it locally', async () => {
    const clock = manualClock('2026-03-10T12:00:00.000Z');
    const limiter = createWriteRateLimiter({ database, clock });
    const key = { name: 'lease-one', perMinute: 6_000 };
    await limiter.countWrite(key);
    // Five writes were counted in the database (TAT moved by five intervals) for the first one.
    expect((await tatOf(key.name)).getTime()).toBe(clock.now().getTime() + 5 * emissionIntervalMs(key.perMinute));
    for (let i = 0; i < 4; i++) await limiter.countWrite(key);
    expect((await tatOf(key.name)).getTime()).toBe(clock.now().getTime() + 5 * emissionIntervalMs(key.perMinute));
    await limiter.countWrite(key);
    expect((await tatOf(key.name)).getTime()).toBe(clock.now().getTime() + 10 * emissionIntervalMs(key.perMinute));
  });

  it('never admits more than the limit across two replicas, and then refuses on both', async () => {
    const clock = manualClock('2026-03-10T12:00:00.000Z');
    const replicas = [createWriteRateLimiter({ database, clock }), createWriteRateLimiter({ database, clock })];
    const key = { name: 'lease-shared', perMinute: 6_000 };
    let admitted = 0;
    const refusedBy = new Set<number>();
    for (let i = 0; refusedBy.size < 2 && i < 20_000; i++) {
      const r = i % 2;
      if (refusedBy.has(r)) continue;
      try {
        await replicas[r]!.countWrite(key);
        admitted += 1;
      } catch (error) {
        expect((error as { kind?: string }).kind).toBe('rate-limited');
        refusedBy.add(r);
      }
    }
    expect(refusedBy).toEqual(new Set([0, 1]));
    // Exactly the bucket, less what the replica refused second had leased and not spent (under 5).
    expect(admitted).toBeLessThanOrEqual(6_000);
    expect(admitted).toBeGreaterThan(6_000 - leaseSize(key.perMinute));
  });

  it('drops a lease not spent within a second instead of spending it late', async () => {
    const clock = manualClock('2026-03-10T12:00:00.000Z');
    const limiter = createWriteRateLimiter({ database, clock });
    const key = { name: 'lease-expiring', perMinute: 6_000 };
    await limiter.countWrite(key);
    clock.advance(1_000);
    await limiter.countWrite(key);
    // A new lease taken at the new time (TAT moved from now), not one of the four left over.
    expect((await tatOf(key.name)).getTime()).toBe(clock.now().getTime() + 5 * emissionIntervalMs(key.perMinute));
  });
});
