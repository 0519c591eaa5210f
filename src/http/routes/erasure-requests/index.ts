// The erasure-request resource: one file per operation. To add one, write `<operation>.ts` exporting a
// function that takes the app, and call it here.
import type { ZodApp } from '../../app-deps.ts';
import { cancelErasureRequest } from './cancel.ts';
import { createErasureRequest } from './create.ts';
import { getErasureRequest } from './get.ts';
import { listErasureRequestTasks } from './list-tasks.ts';
import { listErasureRequests } from './list.ts';
import { extendErasureRequest } from './extend.ts';
import { resolveErasureTask } from './resolve-task.ts';
import { retryErasureRequest } from './retry.ts';
import { skipErasureTask } from './skip-task.ts';

export async function erasureRequestRoutes(app: ZodApp): Promise<void> {
  createErasureRequest(app);
  listErasureRequests(app);
  getErasureRequest(app);
  listErasureRequestTasks(app);
  cancelErasureRequest(app);
  retryErasureRequest(app);
  skipErasureTask(app);
  resolveErasureTask(app);
  extendErasureRequest(app);
}
