// Operator actions (re-drive, skip, resolve, extend), all built the same way, so a new one is a
// definition (defineAction) and one line in routes/operator-actions.ts:
//   1. the request page offers the action's form (views/operator-action.ts) to a key with erasure:operate
//      on a request of its own tenant for which the action applies: on the request (re-drive, extend) or
//      on each task row it applies to (skip, resolve); the form's fields and a button;
//   2. POST /console/requests/:id[/tasks/:taskId]/<slug> with step=review answers a confirmation page —
//      what will happen, the values given, and a "Confirm" button (no script: the confirmation is a
//      second form carrying the same values);
//   3. the same POST with step=confirm performs it through the action's service, as the session's key
//      (the trail's actor is `api-key:<name>`, as in the API), and redirects back to the request page,
//      which shows the result once (a notice cookie): what was done, or the service's refusal (a task
//      that cannot be closed, an extension the rules do not allow) with nothing changed.
// The route of every action is routes/operator-action.ts. Every step checks the session's CSRF token
// (session.ts, before the handler), the scope, the tenant rule (another tenant's request, or one the key
// may only read, is "not found") and the fields (the API's own rules).
import type { z } from 'zod';
import { writeTenantOf, type Caller } from '../domain/caller.ts';
import type { ErasureRequestResource, TaskResource } from '../domain/erasure-request.ts';
import type { AppDeps } from '../http/app-deps.ts';
import type { ConsoleNotice } from './cookies.ts';
import { hasScope, type ActiveConsoleSession } from './session.ts';

export const OPERATE_SCOPE = 'erasure:operate';

/** What an action is taken on: the request, or one of its tasks (then `task` is set). */
export type ActionTarget = { request: ErasureRequestResource; task: TaskResource | null };

/** One labelled control of an action's form. */
export type ActionField = {
  name: string;
  label: string;
  /** Said under the control (aria-describedby). */
  hint?: string;
  control: { kind: 'select'; options: ReadonlyArray<readonly [value: string, label: string]> } | { kind: 'textarea'; maxLength: number } | { kind: 'text'; maxLength: number } | { kind: 'datetime' };
  required: boolean;
};

export type ActionNotice = Omit<ConsoleNotice, 'requestId'>;

export type ActionDefinition<Input> = {
  /** The path segment (…/<slug>) and the form's ids. */
  slug: string;
  /** The button and the heading: "Re-drive failed tasks". */
  title: string;
  /** Whether it is offered on the request or on each task row. */
  on: 'request' | 'task';
  /** What it will do, said on the form and on the confirmation page. */
  explain(target: ActionTarget): string;
  /** Whether the action applies to the request (or task) as it stands (the form is offered only then). */
  applies(target: ActionTarget, now: Date): boolean;
  fields: readonly ActionField[];
  /** The fields' values as posted → the service's input; its messages say what to fix. */
  input: z.ZodType<Input>;
  /** The values as the confirmation page lists them. */
  facts(input: Input): ReadonlyArray<readonly [label: string, value: string]>;
  /** Performs it as `caller`; the notice says what happened (or why nothing did). */
  perform(deps: AppDeps, caller: Caller, ids: { requestId: string; taskId: string | null }, input: Input): Promise<ActionNotice>;
};

/** Posted form values parsed once: what the confirmation lists, and the performance, bound to them. */
export type ParsedAction = {
  facts: ReadonlyArray<readonly [string, string]>;
  /** The fields as posted, carried by the confirmation form. */
  values: Readonly<Record<string, string>>;
  perform(deps: AppDeps, caller: Caller, ids: { requestId: string; taskId: string | null }): Promise<ActionNotice>;
};

export type OperatorAction = Omit<ActionDefinition<unknown>, 'input' | 'facts' | 'perform'> & {
  parse(body: Record<string, unknown>): { ok: true; action: ParsedAction } | { ok: false; errors: Array<{ path: string; message: string }> };
};

/** An action with its input's type kept inside (the list of actions holds them all alike). */
export function defineAction<Input>(d: ActionDefinition<Input>): OperatorAction {
  const { input, facts, perform, ...rest } = d;
  return {
    ...rest,
    parse(body) {
      const parsed = input.safeParse(body);
      if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'form', message: i.message })) };
      const data = parsed.data;
      const values = Object.fromEntries(d.fields.map((f) => [f.name, typeof body[f.name] === 'string' ? (body[f.name] as string) : '']));
      return { ok: true, action: { facts: facts(data), values, perform: (deps, caller, ids) => perform(deps, caller, ids, data) } };
    },
  };
}

/** Whether the request page offers this action to this session, on the request or on this task. */
export function offersAction(session: ActiveConsoleSession, target: ActionTarget, action: OperatorAction, now: Date): boolean {
  // A key that reads every tenant changes only its own (domain/caller.ts): no form on another tenant's request.
  return (
    hasScope(session, OPERATE_SCOPE) &&
    target.request.tenant === writeTenantOf(session.identity) &&
    (action.on === 'task') === (target.task !== null) &&
    action.applies(target, now)
  );
}

/** Where the action's forms post: /console/requests/:id[/tasks/:taskId]/<slug>. */
export function actionPath(requestId: string, taskId: string | null, action: OperatorAction): string {
  return `/console/requests/${requestId}${taskId === null ? '' : `/tasks/${taskId}`}/${action.slug}`;
}
