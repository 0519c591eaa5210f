// A small Postgres wire-protocol server that lets many pg connections share one PGlite instance.
//
// Why not pglite-socket's PGLiteSocketServer: it queues every protocol *message* on its own and keeps a
// connection exclusive only while PGlite reports an open transaction block. node-postgres sends each
// parameterized query as Parse/Bind/Describe/Execute/Sync on the unnamed statement and portal, so with
// several connections one connection's Parse lands between another's Parse and Bind ("unnamed prepared
// statement does not exist", or a query bound to someone else's statement), and a failed message stops
// its queue for good (electric-sql/pglite#1046).
//
// This server groups each connection's messages into units that end where the client waits for an
// answer (Sync, a simple Query, Flush, CopyDone/CopyFail), runs each unit atomically on PGlite, and
// hands the single session to one connection at a time: a connection keeps it from its first unit until
// the backend answers ReadyForQuery with status 'I' (idle, no transaction). So the session stays with a
// connection through an open transaction or an unfinished extended-protocol exchange, and the other
// connections' units wait in FIFO order. When the owner disconnects, its transaction is rolled back.
//
// What one shared backend session means (by design, documented for callers):
//  - Session state is shared by every connection: SET (without LOCAL), session advisory locks, named
//    prepared statements, temporary tables, LISTEN registrations. The service uses only unnamed
//    statements here (a Database on this engine has namedStatements false: db/database.ts) and
//    transaction-scoped advisory locks (pg_advisory_xact_lock): those end with the unit or the
//    transaction, so they stay private to the connection that owns the session meanwhile.
//  - Startup parameters (application_name, options, …) do not change the session. PGlite answers the
//    first startup packet (AuthenticationOk, ParameterStatus…, BackendKeyData, ReadyForQuery); later
//    connections get a copy of that answer at once, so connecting never waits for another
//    connection's transaction.
//  - LISTEN/NOTIFY: notifications are delivered at commit by the one backend, into whichever
//    connection's output happens to be running. We strip them from that output and deliver them to the
//    connections that have run LISTEN (and not UNLISTEN since), on every channel the session listens
//    on (pg clients filter by channel name). A connection that never ran LISTEN never sees one.
//  - Transactions are serialised: a connection that holds a transaction open while it waits for
//    another connection (e.g. awaits a pool query inside a transaction) would wait forever, so an owner
//    idle in a transaction while others wait is terminated after `idleInTransactionTimeoutMs`.
//  - CancelRequest is ignored (a running statement cannot be interrupted). COPY FROM STDIN is untested.
//  - A unit's answer is written in one piece once PGlite is done with it (no streaming of huge results,
//    no backpressure from slow readers): fine for the service's row counts.
import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

export type WireServerOptions = {
  /** Most client connections at once; more get "sorry, too many clients already". Default 32. */
  maxConnections?: number;
  /** Listen on this Unix socket path instead of TCP. */
  path?: string;
  /** TCP host and port; default 127.0.0.1 and a free port (0). */
  host?: string;
  port?: number;
  /** Terminate a connection idle inside a transaction this long while others wait. Default 30 s. */
  idleInTransactionTimeoutMs?: number;
};

export type WireServer = {
  /** Where it listens: { host, port } for TCP, { path } for a Unix socket. */
  readonly address: { host: string; port: number } | { path: string };
  /** Open client connections. */
  connectionCount(): number;
  /** Stops accepting, drops every connection (rolling back an open transaction), waits for PGlite to be idle. */
  close(): Promise<void>;
};

// Startup-phase request codes (they have no type byte: int32 length, int32 code).
const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const MAX_STARTUP_LENGTH = 10_000;
const MAX_MESSAGE_LENGTH = 1 << 30;

// Frontend message types that end a unit: the client waits for the backend's answer after these.
const UNIT_END = new Set(['S', 'Q', 'H', 'c', 'f'].map((c) => c.charCodeAt(0)));
const TERMINATE = 'X'.charCodeAt(0);
// Backend message types we look at in PGlite's output.
const READY_FOR_QUERY = 'Z'.charCodeAt(0);
const NOTIFICATION = 'A'.charCodeAt(0);
const COMMAND_COMPLETE = 'C'.charCodeAt(0);
const IDLE = 'I'.charCodeAt(0);

type Connection = {
  readonly socket: net.Socket;
  /** Bytes received and not yet parsed into whole messages. */
  input: Buffer;
  /** Whole messages of the unit being received (not yet ended by Sync, Query, …). */
  pending: Buffer[];
  started: boolean;
  /** Accepted beyond maxConnections: answered with an error once its startup packet arrives. */
  overLimit: boolean;
  listening: boolean;
  closed: boolean;
};

/** A unit of work on the session; conn null = our own housekeeping (output discarded). */
type Unit = { conn: Connection | null; bytes: Buffer };

export async function startWireServer(pglite: PGlite, options: WireServerOptions = {}): Promise<WireServer> {
  const maxConnections = options.maxConnections ?? 32;
  const idleTimeoutMs = options.idleInTransactionTimeoutMs ?? 30_000;
  await pglite.waitReady;

  const connections = new Set<Connection>(); // counted against maxConnections
  const sockets = new Set<net.Socket>(); // every accepted socket, over the limit or not, for close()
  const queue: Unit[] = [];
  /** The connection the session belongs to until the backend is idle again, or null. */
  let owner: Connection | null = null;
  let draining = false;
  let drained: Promise<void> = Promise.resolve();
  let idleTimer: NodeJS.Timeout | null = null;
  /** PGlite's answer to the first startup packet, replayed to every later connection. */
  let startupReply: Buffer | null = null;

  // --- running units, one at a time ---------------------------------------------------------------

  async function execute(bytes: Buffer): Promise<Buffer> {
    const chunks: Buffer[] = [];
    await pglite.runExclusive(() =>
      // onRawData gets views into the WASM heap: copy them before the next chunk overwrites them.
      pglite.execProtocolRawStream(bytes, { onRawData: (data) => void chunks.push(Buffer.from(data)) }),
    );
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  async function run(unit: Unit): Promise<void> {
    const conn = unit.conn;
    try {
      let output = await execute(unit.bytes);
      const { idle, notifications, listen } = scanOutput(output);
      if (notifications.length > 0) output = withoutNotifications(output);
      if (unit.bytes[0] === 0 && idle) startupReply = output; // a startup packet (no type byte)
      if (conn !== null) {
        owner = idle ? null : conn;
        if (listen !== null) conn.listening = listen;
        send(conn, output);
      }
      if (notifications.length > 0) {
        const payload = Buffer.concat(notifications);
        for (const c of connections) if (c.listening) send(c, payload);
      }
    } catch (err) {
      // PGlite threw (SQL errors come back as ErrorResponse, not as exceptions): the session state is
      // unknown, so end this connection; as the owner, the reset then puts the session back in order.
      if (conn !== null) {
        owner = conn;
        fail(conn, 'XX000', `embedded database failure: ${(err as Error).message}`);
      }
    }
  }

  /** The owner went away mid-exchange or mid-transaction: discard its work and give the session back. */
  async function resetSession(): Promise<void> {
    owner = null;
    try {
      // An Execute on a portal that does not exist fails, which aborts an implicit extended-protocol
      // transaction (a plain Sync would commit it); Sync then ends the exchange.
      await execute(Buffer.concat([message('E', cstring('embedded_reset_no_such_portal'), int32(0)), message('S')]));
      if (pglite.isInTransaction()) await execute(query('ROLLBACK'));
    } catch {
      // PGlite itself is broken: the next units will fail and answer their connections.
    }
  }

  // The loop runs until no unit may run now. `draining` is set and cleared synchronously around the
  // loop's last check, so a unit enqueued at any moment is either seen by the loop or starts a new one.
  async function drain(): Promise<void> {
    draining = true;
    try {
      for (;;) {
        if (owner?.closed === true) await resetSession();
        const i = owner === null ? 0 : queue.findIndex((u) => u.conn === owner);
        if (i < 0 || queue.length === 0) break;
        const [unit] = queue.splice(i, 1);
        clearIdleTimer();
        await run(unit!);
      }
    } finally {
      draining = false;
    }
    armIdleTimer();
  }

  function pump(): Promise<void> {
    if (!draining) drained = drain();
    return drained;
  }

  function enqueue(unit: Unit): void {
    queue.push(unit);
    void pump();
  }

  // An owner idle in a transaction while others wait: end it rather than let everyone wait forever.
  function armIdleTimer(): void {
    if (idleTimer !== null || owner === null || queue.length === 0 || idleTimeoutMs <= 0) return;
    const holder = owner;
    idleTimer = setTimeout(() => {
      idleTimer = null;
      if (owner !== holder || queue.length === 0 || queue.some((u) => u.conn === holder)) return;
      fail(holder, '25P03', `terminating connection: idle in a transaction for ${idleTimeoutMs} ms while ${queue.length} units of other connections waited (the embedded database runs one transaction at a time)`);
    }, idleTimeoutMs);
    idleTimer.unref();
  }

  function clearIdleTimer(): void {
    if (idleTimer !== null) clearTimeout(idleTimer);
    idleTimer = null;
  }

  // --- connections --------------------------------------------------------------------------------

  function send(conn: Connection, data: Buffer): void {
    if (data.length > 0 && !conn.closed && conn.socket.writable) conn.socket.write(data);
  }

  /** Answers a FATAL ErrorResponse and closes the connection. */
  function fail(conn: Connection, code: string, text: string): void {
    send(conn, errorResponse('FATAL', code, text));
    conn.socket.end();
    drop(conn);
  }

  function drop(conn: Connection): void {
    if (conn.closed) return;
    conn.closed = true;
    connections.delete(conn);
    for (let i = queue.length - 1; i >= 0; i--) if (queue[i]!.conn === conn) queue.splice(i, 1);
    // The backend keeps its LISTEN registrations; stop them when nobody is left to deliver to.
    if (conn.listening && ![...connections].some((c) => c.listening)) enqueue({ conn: null, bytes: query('UNLISTEN *') });
    void pump(); // resets the session if this connection owned it
  }

  function onData(conn: Connection, chunk: Buffer): void {
    conn.input = conn.input.length === 0 ? chunk : Buffer.concat([conn.input, chunk]);
    let at = 0;
    const input = conn.input;
    while (!conn.closed) {
      if (!conn.started) {
        // Startup phase: int32 length (including itself), int32 code, parameters.
        if (input.length - at < 8) break;
        const length = input.readInt32BE(at);
        if (length < 8 || length > MAX_STARTUP_LENGTH) return fail(conn, '08P01', 'invalid startup packet length');
        if (input.length - at < length) break;
        const packet = input.subarray(at, at + length);
        at += length;
        const code = packet.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          conn.socket.write('N'); // no encryption: the client goes on with a plain startup packet
        } else if (code === CANCEL_REQUEST) {
          conn.socket.end(); // cannot interrupt PGlite; Postgres sends no reply either
          return drop(conn);
        } else if (conn.overLimit) {
          return fail(conn, '53300', 'sorry, too many clients already');
        } else {
          if (code !== PROTOCOL_3) return fail(conn, '0A000', `unsupported frontend protocol ${code >> 16}.${code & 0xffff}`);
          conn.started = true;
          if (startupReply !== null) send(conn, startupReply);
          else enqueue({ conn, bytes: packet });
        }
        continue;
      }
      // Normal phase: type byte, int32 length (including itself), body.
      if (input.length - at < 5) break;
      const length = input.readInt32BE(at + 1);
      if (length < 4 || length > MAX_MESSAGE_LENGTH) return fail(conn, '08P01', 'invalid message length');
      if (input.length - at < length + 1) break;
      const type = input[at]!;
      const msg = input.subarray(at, at + length + 1);
      at += length + 1;
      if (type === TERMINATE) {
        conn.socket.end();
        return drop(conn);
      }
      conn.pending.push(msg);
      if (UNIT_END.has(type)) {
        const bytes = conn.pending.length === 1 ? msg : Buffer.concat(conn.pending);
        conn.pending = [];
        enqueue({ conn, bytes });
      }
    }
    // Views into received chunks are safe to keep: Node hands each 'data' event a fresh Buffer.
    conn.input = input.subarray(at);
  }

  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    const conn: Connection = {
      socket,
      input: Buffer.alloc(0),
      pending: [],
      started: false,
      overLimit: connections.size >= maxConnections,
      listening: false,
      closed: false,
    };
    if (!conn.overLimit) connections.add(conn);
    socket.on('data', (chunk: Buffer) => onData(conn, chunk)); // no setEncoding: always Buffers
    socket.on('error', () => {}); // 'close' follows
    socket.on('close', () => {
      sockets.delete(socket);
      drop(conn);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (options.path !== undefined) server.listen(options.path, resolve);
    else server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const bound = server.address();
  const address = typeof bound === 'string' || bound === null ? { path: options.path ?? String(bound) } : { host: bound.address, port: bound.port };

  return {
    address,
    connectionCount: () => connections.size,
    async close() {
      clearIdleTimer();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      for (const conn of [...connections]) drop(conn);
      queue.length = 0; // e.g. an UNLISTEN * queued by the drops: PGlite is about to close anyway
      await pump(); // waits for a unit in flight and rolls back an open transaction
      await closed;
    },
  };
}

// --- protocol helpers -----------------------------------------------------------------------------

/** Walks PGlite's output: does it end idle (ReadyForQuery 'I'), which notifications, LISTEN/UNLISTEN run. */
function scanOutput(out: Buffer): { idle: boolean; notifications: Buffer[]; listen: boolean | null } {
  let idle = false;
  let listen: boolean | null = null;
  const notifications: Buffer[] = [];
  for (let at = 0; at + 5 <= out.length; ) {
    const type = out[at]!;
    const end = at + 1 + Math.max(4, out.readInt32BE(at + 1));
    idle = type === READY_FOR_QUERY && out[at + 5] === IDLE;
    if (type === NOTIFICATION) notifications.push(out.subarray(at, end));
    else if (type === COMMAND_COMPLETE) {
      const tag = out.toString('latin1', at + 5, end - 1);
      if (tag === 'LISTEN') listen = true;
      else if (tag === 'UNLISTEN') listen = false;
    }
    at = end;
  }
  return { idle, notifications, listen };
}

function withoutNotifications(out: Buffer): Buffer {
  const kept: Buffer[] = [];
  for (let at = 0; at + 5 <= out.length; ) {
    const end = at + 1 + Math.max(4, out.readInt32BE(at + 1));
    if (out[at] !== NOTIFICATION) kept.push(out.subarray(at, end));
    at = end;
  }
  return Buffer.concat(kept);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function cstring(s: string): Buffer {
  return Buffer.from(`${s}\0`, 'utf8');
}

function message(type: string, ...body: Buffer[]): Buffer {
  const payload = Buffer.concat(body);
  return Buffer.concat([Buffer.from(type, 'latin1'), int32(payload.length + 4), payload]);
}

function query(sql: string): Buffer {
  return message('Q', cstring(sql));
}

function errorResponse(severity: string, code: string, text: string): Buffer {
  return message('E', Buffer.from('S'), cstring(severity), Buffer.from('V'), cstring(severity), Buffer.from('C'), cstring(code), Buffer.from('M'), cstring(text), Buffer.from([0]));
}
