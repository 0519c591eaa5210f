// Routes across the tasks of many requests. To add one, write `<operation>.ts` exporting a function that
// takes the app, and call it here.
import type { ZodApp } from '../../app-deps.ts';
import { bulkRetryTasks } from './bulk-retry.ts';

export async function taskRoutes(app: ZodApp): Promise<void> {
  bulkRetryTasks(app);
}
