// Each vendor's executors hold one client per configured connection; a task names its connection.
import type { ExecutionContext, ExecutionResult } from '../domain/task-execution.ts';

/** The client for a task's connection, or a failed result naming the missing connection. */
export function clientForTask<C>(clients: ReadonlyMap<string, C>, ctx: ExecutionContext): C | ExecutionResult {
  const client = ctx.task.connection === null ? undefined : clients.get(ctx.task.connection);
  if (client !== undefined) return client;
  return {
    outcome: {
      kind: 'failed',
      error: { kind: 'gateway', code: 'unknown_connection', message: `connection ${JSON.stringify(ctx.task.connection)} is not configured for ${ctx.task.type}` },
    },
  };
}
