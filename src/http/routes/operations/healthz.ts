// GET /healthz — the process is alive (no dependencies checked: restarting would not fix them).
import { z } from 'zod';
import type { ZodApp } from '../../app-deps.ts';

export function healthz(app: ZodApp): void {
  app.route({
    method: 'GET',
    url: '/healthz',
    schema: {
      operationId: 'healthz',
      tags: ['operations'],
      summary: 'Liveness',
      response: { 200: z.object({ status: z.literal('ok') }) },
    },
    handler: async () => ({ status: 'ok' as const }),
  });
}
