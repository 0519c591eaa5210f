// A page of the CSV export (reports/export-requests-csv.ts) in one query: each request with what its
// CSV row shows — timestamps already as ISO 8601 text, whether it is overdue, its targets as
// `type@connection`, and its erasure tasks counted per state. An export reads 100,000 of these, so the
// database does the counting and formatting, and the gateway holds a few strings per row instead of
// rows, Dates and count objects (bench section 7: the gateway's peak RSS during such an export).
// The rules are the domain's, passed in: which statuses are open (deadlines.ts), which target type
// each task type comes from (targets.ts), the task states in column order (types.ts).
import { sql, type Kysely } from 'kysely';
import { OPEN_STATUSES } from '../../domain/deadlines.ts';
import { TASK_TARGET_TYPE } from '../../domain/targets.ts';
import { TASK_STATES } from '../../domain/types.ts';
import { listed, type RequestPageQuery } from '../requests.ts';
import type { DB } from '../schema.ts';

/** One CSV row's values (reports/requests-csv.ts renders them). */
export type RequestCsvRow = {
  id: string;
  tenant: string;
  externalRef: string | null;
  regulation: string;
  status: string;
  overdue: boolean;
  createdAt: string;
  updatedAt: string;
  dueAt: string;
  completedAt: string | null;
  cancelledAt: string | null;
  /** `type@connection` per target, in target order, separated by spaces. */
  targets: string;
  /** Erasure tasks per state, in TASK_STATES order. */
  tasksByState: number[];
  /** The reasons of the tasks an operator skipped, in task order, separated by ` | `; null when none. */
  skipReasons: string | null;
};

// As Date.prototype.toISOString() writes it (UTC, milliseconds): the JSON resource's format.
const ISO = `YYYY-MM-DD"T"HH24:MI:SS.MS"Z"`;
const iso = (column: string) => sql<string>`to_char(${sql.ref(`erasure_request.${column}`)} at time zone 'UTC', ${ISO})`;
const isoOrNull = (column: string) => sql<string | null>`to_char(${sql.ref(`erasure_request.${column}`)} at time zone 'UTC', ${ISO})`;

export async function listRequestCsvRows(db: Kysely<DB>, q: RequestPageQuery): Promise<RequestCsvRow[]> {
  const taskTypes = Object.keys(TASK_TARGET_TYPE);
  const targetTypes = Object.values(TASK_TARGET_TYPE);
  return listed(
    db.selectFrom('erasure_request').select([
      'id',
      'tenant',
      'external_ref as externalRef',
      'regulation',
      'status',
      // Aliases differ from the columns: the list is ordered by the columns themselves (and their index).
      iso('created_at').as('createdAt'),
      iso('updated_at').as('updatedAt'),
      iso('due_at').as('dueAt'),
      isoOrNull('completed_at').as('completedAt'),
      isoOrNull('cancelled_at').as('cancelledAt'),
      sql<boolean>`erasure_request.due_at < ${q.now} and erasure_request.status = any(${[...OPEN_STATUSES]}::text[])`.as('overdue'),
      sql<string>`coalesce((
        select string_agg(m.target_type || '@' || coalesce(x.connection, ''), ' ' order by x.target_index)
        from (select distinct on (t.target_index) t.target_index, t.type, t.connection
              from task t where t.request_id = erasure_request.id and t.type <> 'callback' and t.target_index is not null
              order by t.target_index) x
        join unnest(${taskTypes}::text[], ${targetTypes}::text[]) as m(task_type, target_type) on m.task_type = x.type), '')`.as('targets'),
      sql<number[]>`array(
        select coalesce(c.n, 0)::int
        from unnest(${[...TASK_STATES]}::text[]) with ordinality as s(state, ord)
        left join (select t.state, count(*) as n from task t
                   where t.request_id = erasure_request.id and t.type <> 'callback' and t.target_index is not null
                   group by t.state) c on c.state = s.state
        order by s.ord)`.as('tasksByState'),
      sql<string | null>`(select string_agg(t.resolution->>'reason', ' | ' order by t.seq) from task t
        where t.request_id = erasure_request.id and t.state = 'skipped' and t.type <> 'callback')`.as('skipReasons'),
    ]),
    q,
  )
    .limit(q.limit)
    .execute();
}
