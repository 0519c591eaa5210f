// The embedded engine's wire server (src/db/embedded-wire-server.ts): many pg connections on PGlite's
// single session, under concurrent load, with failures and disconnects in the middle.
//
// EMBEDDED_LIBRARY_CHECKS=1 also runs two checks of the stock @electric-sql/pglite-socket server: that
// the same workload still breaks it (the reason our server exists; when this check starts failing,
// the library may be fixed), and a throughput comparison of the two on one connection.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/db/database.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded.ts';
import { startWireServer } from '../../src/db/embedded-wire-server.ts';
import { migrateToLatest, migrationsPending } from '../../src/db/migrate.ts';

const libraryChecks = process.env.EMBEDDED_LIBRARY_CHECKS === '1';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function embedded(options: Parameters<typeof startEmbeddedPostgres>[0] = {}): Promise<EmbeddedPostgres> {
  const e = await startEmbeddedPostgres(options);
  cleanups.push(() => e.close());
  return e;
}

function pool(url: string, max = 8): pg.Pool {
  // query_timeout turns a hung server into errors instead of a hung test.
  const p = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000, query_timeout: 20_000 });
  p.on('error', () => {});
  cleanups.push(() => withTimeout(p.end(), 5_000).catch(() => {}));
  return p;
}

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, query_timeout: 20_000 });
  c.on('error', () => {});
  await c.connect();
  cleanups.push(() => withTimeout(c.end(), 5_000).catch(() => {}));
  return c;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Settles within `ms`? (To check that a query is still waiting for the session.) */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([promise.then(() => true, () => true), sleep(ms).then(() => false)]);
}

type WorkloadResult = { errors: string[]; wrong: number; ms: number };

/**
 * The reproduction: `workers` connections each running `queries` parameterized selects, interleaved
 * with `transactions` concurrent short read-modify-write transactions (advisory xact lock, select … for
 * update, update, insert). Counts errors and wrong answers instead of throwing, then checks the books.
 */
async function runWorkload(url: string, options: { workers: number; queries: number; transactions: number }): Promise<WorkloadResult> {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(`
    drop table if exists wl_ledger; drop table if exists wl_account;
    create table wl_account (id int primary key, balance int not null, version int not null);
    create table wl_ledger (id serial primary key, account_id int not null, amount int not null);
    insert into wl_account select g, 1000, 0 from generate_series(1, 10) g;`);
  await setup.end();

  const p = pool(url, options.workers);
  const errors: string[] = [];
  let wrong = 0;
  const started = performance.now();

  const selects = Array.from({ length: options.workers }, async (_, w) => {
    for (let i = 0; i < options.queries; i++) {
      const x = w * 100_000 + i;
      try {
        const r = await p.query<{ n: number }>('select $1::int + 1 as n', [x]);
        if (r.rows.length !== 1 || r.rows[0]!.n !== x + 1) wrong++;
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
  });

  const transfers = Array.from({ length: options.transactions }, async (_, t) => {
    const account = (t % 10) + 1;
    const amount = (t % 7) - 3;
    let c: pg.PoolClient;
    try {
      c = await p.connect();
    } catch (err) {
      errors.push((err as Error).message);
      return;
    }
    try {
      await c.query('begin');
      await c.query('select pg_advisory_xact_lock($1)', [account]);
      const r = await c.query<{ balance: number; version: number }>('select balance, version from wl_account where id = $1 for update', [account]);
      const row = r.rows[0];
      if (row === undefined) throw new Error(`account ${account} not found`);
      await c.query('update wl_account set balance = $2, version = $3 where id = $1', [account, row.balance + amount, row.version + 1]);
      await c.query('insert into wl_ledger (account_id, amount) values ($1, $2)', [account, amount]);
      await c.query('commit');
      c.release();
    } catch (err) {
      errors.push((err as Error).message);
      await c.query('rollback').catch(() => {});
      c.release(true);
    }
  });

  await Promise.all([...selects, ...transfers]);
  const ms = performance.now() - started;

  // Each account's balance and version must match its ledger: a lost update or a misrouted statement shows here.
  try {
    const books = await p.query<{ id: number; balance: number; version: number; n: string; total: string }>(`
      select a.id, a.balance, a.version, count(l.id) as n, coalesce(sum(l.amount), 0) as total
      from wl_account a left join wl_ledger l on l.account_id = a.id group by a.id order by a.id`);
    const committed = books.rows.reduce((sum, b) => sum + Number(b.n), 0);
    for (const b of books.rows) if (b.balance !== 1000 + Number(b.total) || b.version !== Number(b.n)) wrong++;
    if (errors.length === 0 && committed !== options.transactions) wrong++;
  } catch (err) {
    errors.push((err as Error).message);
  }
  return { errors, wrong, ms };
}

/** A bare protocol client, for what pg does not do (SSLRequest, an unfinished extended exchange). */
class RawClient {
  private readonly socket: net.Socket;
  private received = Buffer.alloc(0);
  private waiter: (() => void) | null = null;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  static async connect(url: string): Promise<RawClient> {
    const u = new URL(url);
    const socket = net.connect(Number(u.port), u.hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const raw = new RawClient(socket);
    cleanups.push(async () => void socket.destroy());
    return raw;
  }

  write(...messages: Buffer[]): void {
    this.socket.write(Buffer.concat(messages));
  }

  /** Waits until the bytes received so far satisfy `done`, then returns them and starts afresh. */
  async until(done: (received: Buffer) => boolean, ms = 5_000): Promise<Buffer> {
    await withTimeout(
      new Promise<void>((resolve) => {
        const check = () => {
          if (done(this.received)) resolve();
        };
        this.waiter = check;
        check();
      }),
      ms,
    );
    const out = this.received;
    this.received = Buffer.alloc(0);
    return out;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const cstr = (s: string) => Buffer.from(`${s}\0`);
const msg = (type: string, ...body: Buffer[]) => {
  const payload = Buffer.concat(body);
  return Buffer.concat([Buffer.from(type), int32(payload.length + 4), payload]);
};
const startupPacket = () => {
  const body = Buffer.concat([int32(196608), cstr('user'), cstr('postgres'), cstr('database'), cstr('postgres'), Buffer.from([0])]);
  return Buffer.concat([int32(body.length + 4), body]);
};
/** Has a backend message of this type arrived? (Good enough for the small exchanges below.) */
const hasMessage = (type: string) => (b: Buffer) => {
  for (let at = 0; at + 5 <= b.length; at += 1 + b.readInt32BE(at + 1)) if (b[at] === type.charCodeAt(0)) return true;
  return false;
};

// Each test starts its own PGlite (a second or more on a busy machine): allow for a loaded CI box.
describe('embedded wire server', { timeout: 60_000 }, () => {
  it('serves concurrent parameterized queries and short transactions correctly (8 connections)', async () => {
    const e = await embedded();
    const result = await runWorkload(e.url, { workers: 8, queries: 500, transactions: 200 });
    expect(result.errors).toEqual([]);
    expect(result.wrong).toBe(0);
  }, 120_000);

  it.runIf(libraryChecks)('library check: the same workload breaks the stock PGLiteSocketServer (electric-sql/pglite#1046)', async () => {
    const pglite = await PGlite.create();
    const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 32 });
    await server.start();
    cleanups.push(async () => {
      await withTimeout(server.stop(), 5_000).catch(() => {});
      await withTimeout(pglite.close(), 5_000).catch(() => {});
    });
    const url = `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
    const result = await withTimeout(runWorkload(url, { workers: 8, queries: 100, transactions: 50 }), 60_000).catch(
      (err: Error): WorkloadResult => ({ errors: [err.message], wrong: 0, ms: 0 }),
    );
    const kinds = [...new Set(result.errors.map((m) => m.replace(/\d+/g, 'N')))].slice(0, 5);
    console.log(`[stock pglite-socket] ${result.errors.length} errors, ${result.wrong} wrong results; e.g. ${JSON.stringify(kinds)}`);
    expect(result.errors.length + result.wrong).toBeGreaterThan(0);
  }, 120_000);

  it('rolls back the transaction of a client that disconnects mid-transaction, and others go on', async () => {
    const e = await embedded();
    const setup = await client(e.url);
    await setup.query('create table t (id int primary key, v text)');
    await setup.query(`insert into t values (1, 'before')`);

    const a = await client(e.url);
    await a.query('begin');
    await a.query(`update t set v = 'uncommitted' where id = $1`, [1]);
    await a.query('select * from t where id = $1 for update', [1]);
    await a.query(`insert into t values ($1, 'uncommitted')`, [2]);

    // B waits: the session is A's until A's transaction ends.
    const b = await client(e.url);
    const waiting = b.query<{ v: string }>('select v from t order by id');
    expect(await settlesWithin(waiting, 200)).toBe(false);

    // A vanishes without a word (no Terminate): its transaction is rolled back, B gets the session.
    (a as unknown as { connection: { stream: net.Socket } }).connection.stream.destroy();
    const rows = await withTimeout(waiting, 5_000);
    expect(rows.rows).toEqual([{ v: 'before' }]);

    // A client that ends politely (Terminate) mid-transaction is rolled back as well.
    const p = pool(e.url, 2);
    const c = await p.connect();
    await c.query('begin');
    await c.query(`insert into t values ($1, 'uncommitted')`, [3]);
    c.release(true);
    expect((await withTimeout(b.query('select count(*)::int as n from t'), 5_000)).rows).toEqual([{ n: 1 }]);
  });

  it('discards an unfinished extended-protocol exchange (Flush, no Sync) of a client that disconnects', async () => {
    const e = await embedded();
    const setup = await client(e.url);
    await setup.query('create table t (id int)');

    const raw = await RawClient.connect(e.url);
    raw.write(startupPacket());
    await raw.until(hasMessage('Z'));
    // Parse/Bind/Execute then Flush: the insert ran in an implicit transaction that only Sync would commit.
    raw.write(msg('P', cstr(''), cstr('insert into t values (1)'), int16(0)), msg('B', cstr(''), cstr(''), int16(0), int16(0), int16(0)), msg('E', cstr(''), int32(0)), msg('H'));
    await raw.until(hasMessage('C')); // CommandComplete

    const waiting = setup.query('select count(*)::int as n from t');
    expect(await settlesWithin(waiting, 200)).toBe(false);
    raw.destroy();
    expect((await withTimeout(waiting, 5_000)).rows).toEqual([{ n: 0 }]);
  });

  it('answers SSLRequest with N, then serves a plain session', async () => {
    const e = await embedded();
    const raw = await RawClient.connect(e.url);
    raw.write(int32(8), int32(80877103));
    expect((await raw.until((b) => b.length >= 1)).toString()).toBe('N');
    raw.write(startupPacket());
    expect(hasMessage('R')(await raw.until(hasMessage('Z')))).toBe(true); // AuthenticationOk … ReadyForQuery
    raw.write(msg('Q', cstr('select 41 + 1')));
    const out = await raw.until(hasMessage('Z'));
    expect(out.includes(Buffer.from('42'))).toBe(true);
  });

  it('keeps an erroring connection from affecting the others', async () => {
    const e = await embedded();
    const setup = await client(e.url);
    await setup.query('create table t (id int primary key)');
    const p = pool(e.url, 6);

    const failing = (async () => {
      const c = await p.connect();
      const codes: string[] = [];
      const expectError = async (text: string, values?: unknown[]) => {
        try {
          await c.query(text, values);
          codes.push('no error');
        } catch (err) {
          codes.push((err as { code?: string }).code ?? (err as Error).message);
        }
      };
      for (let i = 0; i < 20; i++) {
        await expectError('select $1::int / 0', [i]);
        await expectError('selec 1');
        await c.query('begin');
        await c.query('insert into t values ($1)', [1000 + i]);
        await expectError('insert into t values ($1)', [1000 + i]);
        await expectError('select 1');
        await c.query('rollback');
      }
      const after = await c.query<{ n: number }>('select $1::int as n', [7]);
      c.release();
      return { codes, after: after.rows[0]?.n };
    })();

    const healthy = Array.from({ length: 5 }, async (_, w) => {
      let wrong = 0;
      for (let i = 0; i < 200; i++) {
        const r = await p.query<{ n: number }>('select $1::int * 2 as n', [w * 1000 + i]);
        if (r.rows[0]?.n !== (w * 1000 + i) * 2) wrong++;
      }
      return wrong;
    });

    const [f, ...wrongs] = await Promise.all([failing, ...healthy]);
    expect(wrongs).toEqual([0, 0, 0, 0, 0]);
    expect(new Set(f.codes)).toEqual(new Set(['22012', '42601', '23505', '25P02']));
    expect(f.after).toBe(7);
    expect((await setup.query('select count(*)::int as n from t')).rows).toEqual([{ n: 0 }]);
  });

  it('runs the Kysely migrations, also from two pools at once', async () => {
    const e = await embedded();
    const one = createDatabase(e.url, { max: 4 });
    const two = createDatabase(e.url, { max: 4 });
    cleanups.push(() => one.close(), () => two.close());
    const [a, b] = await Promise.all([migrateToLatest(one.db), migrateToLatest(two.db)]);
    const applied = [...a, ...b].sort();
    expect(applied.length).toBeGreaterThan(0);
    expect(new Set(applied).size).toBe(applied.length); // each applied once
    expect(await migrationsPending(one.db)).toEqual([]);
    const tables = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = 'public'`.execute(one.db);
    expect(tables.rows[0]!.n).toBeGreaterThan(2);
  });

  it('persists data across a restart when given a dataDir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-embedded-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));

    const first = await startEmbeddedPostgres({ dataDir: dir });
    const db1 = createDatabase(first.url, { max: 4 });
    const applied = await migrateToLatest(db1.db);
    await db1.pool.query('create table kept (v text)');
    await db1.pool.query('insert into kept values ($1)', ['survives']);
    await db1.close();
    await first.close();

    const second = await embedded({ dataDir: dir });
    const db2 = createDatabase(second.url, { max: 4 });
    cleanups.push(() => db2.close());
    expect(applied.length).toBeGreaterThan(0);
    expect(await migrateToLatest(db2.db)).toEqual([]);
    expect((await db2.pool.query('select v from kept')).rows).toEqual([{ v: 'survives' }]);
  });

  it('answers connections beyond maxConnections with a Postgres error', async () => {
    const e = await embedded({ maxConnections: 2 });
    const a = await client(e.url);
    await client(e.url);
    const third = new pg.Client({ connectionString: e.url });
    third.on('error', () => {});
    await expect(third.connect()).rejects.toMatchObject({ code: '53300', message: 'sorry, too many clients already' });

    await a.end();
    // The slot frees once the server sees the close.
    for (let i = 0; ; i++) {
      const again = new pg.Client({ connectionString: e.url });
      again.on('error', () => {});
      try {
        await again.connect();
        await again.end();
        break;
      } catch (err) {
        if (i > 20) throw err;
        await sleep(50);
      }
    }
  });

  it('delivers NOTIFY only to connections that ran LISTEN', async () => {
    const e = await embedded();
    const listener = await client(e.url);
    const bystander = await client(e.url);
    const notifier = await client(e.url);
    const heard: string[] = [];
    const stray: string[] = [];
    listener.on('notification', (n) => heard.push(`${n.channel}:${n.payload}`));
    bystander.on('notification', (n) => stray.push(`${n.channel}:${n.payload}`));
    notifier.on('notification', (n) => stray.push(`${n.channel}:${n.payload}`));

    await listener.query('listen erasure_tasks');
    await notifier.query(`select pg_notify('erasure_tasks', 'one')`);
    // NOTIFY inside a transaction is delivered at commit (the bystander waits for the session meanwhile).
    await notifier.query('begin');
    await notifier.query(`notify erasure_tasks, 'two'`);
    const bystanderQuery = bystander.query('select $1::int', [1]);
    await notifier.query('commit');
    await bystanderQuery;
    for (let i = 0; i < 50 && heard.length < 2; i++) await sleep(10);
    expect(heard).toEqual(['erasure_tasks:one', 'erasure_tasks:two']);
    expect(stray).toEqual([]);

    // After the only listener leaves, the session stops listening.
    await listener.end();
    await sleep(50);
    await notifier.query(`select pg_notify('erasure_tasks', 'three')`);
    expect((await notifier.query('select count(*)::int as n from pg_listening_channels()')).rows).toEqual([{ n: 0 }]);
    expect(stray).toEqual([]);
  });

  it('terminates a connection idle in a transaction while others wait, after the timeout', async () => {
    const pglite = await PGlite.create();
    const server = await startWireServer(pglite, { idleInTransactionTimeoutMs: 300 });
    cleanups.push(async () => {
      await server.close();
      await pglite.close();
    });
    const address = server.address as { host: string; port: number };
    const url = `postgres://postgres@${address.host}:${address.port}/postgres`;
    const holder = new pg.Client({ connectionString: url });
    const holderErrors: string[] = [];
    holder.on('error', (err) => holderErrors.push((err as { code?: string }).code ?? err.message));
    await holder.connect();
    await holder.query('begin');
    await holder.query('create table t (id int)');

    // Connecting does not wait for the session (the startup answer is replayed); the query does.
    const other = await withTimeout(client(url), 1_000);
    const started = performance.now();
    expect((await withTimeout(other.query('select 1 as n'), 5_000)).rows).toEqual([{ n: 1 }]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(holderErrors).toContain('25P03');
    expect((await other.query(`select to_regclass('t') as t`)).rows).toEqual([{ t: null }]); // rolled back
  });

  it('ends only the connection whose unit made PGlite throw, rolls its transaction back, and goes on', async () => {
    const pglite = await PGlite.create();
    // PGlite throwing (rather than answering an ErrorResponse) is rare: simulate it for one marker query.
    const flaky = {
      waitReady: pglite.waitReady,
      isInTransaction: () => pglite.isInTransaction(),
      runExclusive: <T>(fn: () => Promise<T>) => pglite.runExclusive(fn),
      execProtocolRawStream: async (bytes: Uint8Array, options: { onRawData: (data: Uint8Array) => void }) => {
        if (Buffer.from(bytes).includes('boom')) {
          options.onRawData(Buffer.from('partial')); // whatever came out before the failure is not sent
          throw new Error('simulated WASM failure');
        }
        return pglite.execProtocolRawStream(bytes, options);
      },
    } as unknown as PGlite;
    const server = await startWireServer(flaky);
    cleanups.push(async () => {
      await server.close();
      await pglite.close();
    });
    const address = server.address as { host: string; port: number };
    const url = `postgres://postgres@${address.host}:${address.port}/postgres`;
    const setup = await client(url);
    await setup.query('create table t (id int)');

    const victim = await client(url);
    await victim.query('begin');
    await victim.query('insert into t values ($1)', [1]);
    const others = Array.from({ length: 4 }, async () => {
      const c = await client(url);
      for (let i = 0; i < 50; i++) expect((await c.query<{ n: number }>('select $1::int as n', [i])).rows[0]!.n).toBe(i);
    });
    await expect(victim.query(`select 'boom'`)).rejects.toMatchObject({ code: 'XX000' });
    await Promise.all(others);
    expect((await setup.query('select count(*)::int as n from t')).rows).toEqual([{ n: 0 }]);
    expect(server.connectionCount()).toBe(1 + 4);
  });

  it('serves over a Unix socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-sock-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const e = await embedded({ socketDir: dir });
    const p = pool(e.url, 2);
    expect((await p.query('select $1::text as v', ['unix'])).rows).toEqual([{ v: 'unix' }]);
  });

  it.runIf(libraryChecks)('library check: throughput of parameterized queries, ours vs stock pglite-socket', async () => {
    const n = 3_000;
    const measure = async (url: string, connections: number) => {
      const p = pool(url, connections);
      await Promise.all(Array.from({ length: connections }, () => p.query('select 1'))); // connect, warm up
      const started = performance.now();
      await Promise.all(
        Array.from({ length: connections }, async (_, w) => {
          for (let i = w; i < n; i += connections) await p.query('select $1::int + 1 as n', [i]);
        }),
      );
      return Math.round(n / ((performance.now() - started) / 1000));
    };

    const pglite = await PGlite.create();
    const stock = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 8 });
    await stock.start();
    const stockQps = await measure(`postgres://postgres@${stock.getServerConn()}/postgres`, 1);
    await stock.stop();
    await pglite.close();

    const e = await embedded();
    const oursQps = await measure(e.url, 1);
    const ours8Qps = await measure(e.url, 8);
    console.log(`[throughput] select $1::int + 1, ${n} queries: stock 1 conn ${stockQps}/s; ours 1 conn ${oursQps}/s, 8 conns ${ours8Qps}/s`);
    expect(oursQps).toBeGreaterThan(0);
  }, 120_000);
});
