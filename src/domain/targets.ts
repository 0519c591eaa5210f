// Targets (what a caller asks to erase at one connection) and their expansion into tasks (one unit of
// upstream work each). Pure: the service decides when, the database stores the result.
import type { ProblemIssue } from './errors.ts';
import { KOREAI_MAX_CONVERSATION_IDS_PER_JOB, TARGET_CONNECTION_TYPE, type TargetType, type TaskType } from './types.ts';

export type ConversationsTarget = { type: 'koreai.conversations'; connection: string; conversationIds: string[] };
export type ChannelUserTarget = { type: 'koreai.channel_user'; connection: string; cId: string; startDate?: string; endDate?: string };
export type RecordingsTarget = { type: 'koreai.recordings'; connection: string; sessionIds: string[] };
export type CartesiaCallsTarget = { type: 'cartesia.calls'; connection: string; callIds: string[] };
/** A person at a Kore.ai bot: the gateway discovers their sessions (domain/identity-targets.ts). */
export type KoreaiUserTarget = { type: 'koreai.user'; connection: string; userId?: string; cId?: string; from?: string; to?: string };
/** A person at Cartesia: the gateway pages the agents' calls and erases the matching ones. */
export type CartesiaSubjectTarget = {
  type: 'cartesia.subject';
  connection: string;
  agentIds?: string[];
  phones?: string[];
  metadata?: Record<string, string | number | boolean>;
  since?: string;
};
export type IdentityTarget = KoreaiUserTarget | CartesiaSubjectTarget;
export type Target = ConversationsTarget | ChannelUserTarget | RecordingsTarget | CartesiaCallsTarget | IdentityTarget;

/** Upper bound on the tasks one request may expand to: keeps one submit transaction reasonable. */
export const MAX_TASKS_PER_REQUEST = 10_000;

export type PlannedTask = {
  /** 1..n in the order of the targets and their ids. */
  seq: number;
  targetIndex: number;
  type: TaskType;
  connection: string;
  locator: { [key: string]: unknown };
};

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * The tasks the targets become. An identity target becomes one discovery task, whose locator
 * (`discoveries`, by target index) was resolved from the target, the subject and the connection
 * (resolveIdentityTargets); the erasure tasks it finds are added while it runs.
 */
export function expandTargets(targets: readonly Target[], discoveries: ReadonlyMap<number, PlannedTask['locator']> = new Map()): PlannedTask[] {
  const tasks: PlannedTask[] = [];
  const add = (targetIndex: number, type: TaskType, connection: string, locator: PlannedTask['locator']) => {
    tasks.push({ seq: tasks.length + 1, targetIndex, type, connection, locator });
  };
  targets.forEach((target, index) => {
    switch (target.type) {
      case 'koreai.conversations':
        for (const ids of chunk(target.conversationIds, KOREAI_MAX_CONVERSATION_IDS_PER_JOB)) {
          add(index, 'koreai.conversations', target.connection, { conversationIds: ids });
        }
        break;
      case 'koreai.channel_user': {
        const locator: PlannedTask['locator'] = { cId: target.cId };
        if (target.startDate !== undefined) locator.startDate = target.startDate;
        if (target.endDate !== undefined) locator.endDate = target.endDate;
        add(index, 'koreai.channel_user', target.connection, locator);
        break;
      }
      case 'koreai.recordings':
        for (const sessionId of target.sessionIds) add(index, 'koreai.recording', target.connection, { sessionId });
        break;
      case 'cartesia.calls':
        for (const callId of target.callIds) add(index, 'cartesia.call', target.connection, { callId });
        break;
      case 'koreai.user':
      case 'cartesia.subject': {
        const locator = discoveries.get(index);
        if (locator === undefined) throw new Error(`targets[${index}]: identity target expanded without its resolved locator`);
        add(index, target.type === 'koreai.user' ? 'koreai.discovery' : 'cartesia.discovery', target.connection, locator);
        break;
      }
    }
  });
  return tasks;
}

/** How many tasks the targets expand to, without building them (to refuse oversize requests cheaply). */
export function countPlannedTasks(targets: readonly Target[]): number {
  let n = 0;
  for (const t of targets) {
    if (t.type === 'koreai.conversations') n += Math.ceil(t.conversationIds.length / KOREAI_MAX_CONVERSATION_IDS_PER_JOB);
    else if (t.type === 'koreai.channel_user') n += 1;
    else if (t.type === 'koreai.recordings') n += t.sessionIds.length;
    else if (t.type === 'cartesia.calls') n += t.callIds.length;
    else n += 1; // an identity target: one discovery task (what it finds is added later)
  }
  return n;
}

/** The target type each erasure task type comes from (callbacks come from none). */
export const TASK_TARGET_TYPE: Record<Exclude<TaskType, 'callback'>, TargetType> = {
  'koreai.conversations': 'koreai.conversations',
  'koreai.channel_user': 'koreai.channel_user',
  'koreai.recording': 'koreai.recordings',
  'cartesia.call': 'cartesia.calls',
  'koreai.discovery': 'koreai.user',
  'cartesia.discovery': 'cartesia.subject',
};

/**
 * The target type a task came from; null for tasks that are not erasure work (callbacks). A task a
 * discovery found belongs to the identity target, but its own type names the id-list target it is
 * like: where a target holds both, the discovery task's type is the target's (see request-view).
 */
export function targetTypeOfTask(type: TaskType): TargetType | null {
  return type === 'callback' ? null : TASK_TARGET_TYPE[type];
}

export type ConnectionRef = { name: string; type: 'koreai' | 'cartesia' };

/** Every target must name a configured connection of the type its upstream needs. */
export function checkTargetConnections(targets: readonly Target[], connections: readonly ConnectionRef[]): ProblemIssue[] {
  const byName = new Map(connections.map((c) => [c.name, c]));
  const issues: ProblemIssue[] = [];
  targets.forEach((target, index) => {
    const needed = TARGET_CONNECTION_TYPE[target.type];
    const found = byName.get(target.connection);
    const path = `body.targets.${index}.connection`;
    if (found === undefined) issues.push({ path, message: `targets[${index}]: no connection named "${target.connection}" is configured` });
    else if (found.type !== needed) {
      issues.push({ path, message: `targets[${index}]: connection "${target.connection}" is a ${found.type} connection; ${target.type} needs a ${needed} connection` });
    }
  });
  return issues;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A `YYYY-MM-DD` (midnight UTC) or ISO date-time as an instant; null when it is not a real date. */
export function parseTargetDate(value: string): Date | null {
  const dateOnly = DATE_ONLY.exec(value);
  if (dateOnly !== null) {
    const [y, m, d] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? date : null;
  }
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t);
}

/** The last instant a `YYYY-MM-DD` covers (the whole UTC day, as the range is sent); a date-time as given. */
function rangeEnd(value: string, parsed: Date): Date {
  return DATE_ONLY.test(value) ? new Date(parsed.getTime() + 86_400_000 - 1) : parsed;
}

const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Channel-user date ranges: real dates, the end not before the start, and the end not after today. Kore.ai
 * refuses "a future date" by calendar day, so an end of today is accepted in either form — `YYYY-MM-DD` or
 * today's `T23:59:59.999Z`, the docs' own sample. A bare end day covers that whole day.
 */
export function checkTargetDates(targets: readonly Target[], now: Date): ProblemIssue[] {
  const issues: ProblemIssue[] = [];
  targets.forEach((target, index) => {
    if (target.type !== 'koreai.channel_user') return;
    const start = target.startDate === undefined ? null : parseTargetDate(target.startDate);
    const end = target.endDate === undefined ? null : parseTargetDate(target.endDate);
    const base = `body.targets.${index}`;
    if (target.startDate !== undefined && start === null) issues.push({ path: `${base}.startDate`, message: 'not a valid date' });
    if (target.endDate !== undefined && end === null) issues.push({ path: `${base}.endDate`, message: 'not a valid date' });
    if (start !== null && end !== null && rangeEnd(target.endDate!, end).getTime() < start.getTime()) {
      issues.push({ path: `${base}.endDate`, message: 'endDate is before startDate' });
    }
    if (end !== null && utcDay(end) > utcDay(now)) issues.push({ path: `${base}.endDate`, message: 'endDate is after today (UTC): Kore.ai refuses future dates' });
  });
  return issues;
}
