// The vocabulary of the product contract (docs/DESIGN.md): regulations, task types and states, request status.

export const REGULATIONS = ['gdpr', 'ccpa', 'other'] as const;
export type Regulation = (typeof REGULATIONS)[number];

/** Target types as callers name them in a request body. */
export const TARGET_TYPES = ['koreai.conversations', 'koreai.channel_user', 'koreai.recordings', 'cartesia.calls', 'koreai.user', 'cartesia.subject'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/**
 * Task types: one unit of upstream work each. The discovery types find a person's data from their identity
 * (an identity target) and add the erasure tasks they find to the same request.
 */
export const TASK_TYPES = ['koreai.conversations', 'koreai.channel_user', 'koreai.recording', 'cartesia.call', 'callback', 'koreai.discovery', 'cartesia.discovery'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const TASK_STATES = ['pending', 'running', 'waiting', 'succeeded', 'not_found', 'failed', 'cancelled', 'skipped'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** `skipped`: an operator closed the task with a reason; final, and not erasure. */
export const FINAL_TASK_STATES = ['succeeded', 'not_found', 'failed', 'cancelled', 'skipped'] as const satisfies readonly TaskState[];
export type FinalTaskState = (typeof FINAL_TASK_STATES)[number];

/** `completed_with_exceptions`: every task final, none failed, some skipped by an operator. */
export const REQUEST_STATUSES = ['pending', 'in_progress', 'completed', 'completed_with_exceptions', 'failed', 'cancelled'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export function isFinalTaskState(state: TaskState): state is FinalTaskState {
  return (FINAL_TASK_STATES as readonly TaskState[]).includes(state);
}

/** The connection type each target type needs. */
export const TARGET_CONNECTION_TYPE = {
  'koreai.conversations': 'koreai',
  'koreai.channel_user': 'koreai',
  'koreai.recordings': 'koreai',
  'cartesia.calls': 'cartesia',
  'koreai.user': 'koreai',
  'cartesia.subject': 'cartesia',
} as const satisfies Record<TargetType, 'koreai' | 'cartesia'>;

/** Targets that name a person, not ids: each becomes one discovery task. */
export const IDENTITY_TARGET_TYPES = ['koreai.user', 'cartesia.subject'] as const satisfies readonly TargetType[];
export type IdentityTargetType = (typeof IDENTITY_TARGET_TYPES)[number];

export const DISCOVERY_TASK_TYPES = ['koreai.discovery', 'cartesia.discovery'] as const satisfies readonly TaskType[];
export type DiscoveryTaskType = (typeof DISCOVERY_TASK_TYPES)[number];

export function isDiscoveryTaskType(type: TaskType): type is DiscoveryTaskType {
  return (DISCOVERY_TASK_TYPES as readonly TaskType[]).includes(type);
}

/** Kore.ai takes at most this many conversation ids in one deletion job. */
export const KOREAI_MAX_CONVERSATION_IDS_PER_JOB = 100;
