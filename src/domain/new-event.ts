// An audit event about to be appended to a request's hash-chained trail (db/events.ts appends it).
import type { JsonObject } from './json.ts';

export type NewEvent = {
  type: string;
  /** Who did it: `api-key:<name>`, `worker:<id>` or `system`. */
  actor: string;
  at: Date;
  taskId?: string | null;
  /** Never a subject identifier, a secret or upstream free text. */
  data: JsonObject;
};
