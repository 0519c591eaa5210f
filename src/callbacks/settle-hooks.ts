// Plugs callbacks into the worker's settle transaction: when a request's erasure tasks have all become
// final, its callback delivery is enqueued in that same transaction (so it is never lost nor doubled).
import type { IdSource } from '../clock.ts';
import type { SettleHooks } from '../db/sql/settle-tasks.ts';
import { enqueueCallbackIfFinal } from './enqueue-callback.ts';

export function callbackSettleHooks(options: { actor?: string; ids?: IdSource } = {}): SettleHooks {
  return {
    async requestBecameFinal(trx, requestId, change, now) {
      await enqueueCallbackIfFinal(trx, requestId, change, now, options);
    },
  };
}
