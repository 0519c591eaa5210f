// LISTEN erasure_tasks on a dedicated connection (not from the pool: a pooled client would lose its
// LISTEN when released). Reconnects with capped backoff; polling covers any gap, and the embedded
// engine, whose notifications may never arrive.
import pg from 'pg';
import { TASKS_CHANNEL } from '../db/notify.ts';
import type { Logger } from '../logger.ts';

export type WakeListener = { close(): Promise<void> };

export function startWakeListener(options: { url: string; onNotify: () => void; logger: Logger; channel?: string }): WakeListener {
  const channel = options.channel ?? TASKS_CHANNEL;
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = 250;
  let timer: NodeJS.Timeout | null = null;

  const scheduleReconnect = () => {
    if (closed || timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, 10_000);
  };

  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: options.url, application_name: 'erasure-gateway-listener' });
    c.on('error', (err) => {
      options.logger.warn({ err: err.message }, 'task listener connection failed; reconnecting');
      c.removeAllListeners('end');
      void c.end().catch(() => {});
      if (client === c) client = null;
      scheduleReconnect();
    });
    c.on('end', () => {
      if (client === c) client = null;
      scheduleReconnect();
    });
    c.on('notification', (msg) => {
      if (msg.channel === channel) options.onNotify();
    });
    try {
      await c.connect();
      await c.query(`listen ${channel}`);
      if (closed) {
        await c.end();
        return;
      }
      client = c;
      retryMs = 250;
      // Work may have arrived while we were not listening.
      options.onNotify();
    } catch (err) {
      options.logger.warn({ err: (err as Error).message }, 'task listener could not connect; polling meanwhile');
      c.removeAllListeners('end');
      void c.end().catch(() => {});
      scheduleReconnect();
    }
  };

  void connect();
  return {
    async close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      const c = client;
      client = null;
      if (c !== null) {
        c.removeAllListeners('end');
        await c.end().catch(() => {});
      }
    },
  };
}
