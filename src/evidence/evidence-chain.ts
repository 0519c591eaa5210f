// Which part of a request's chain its evidence attests. Pure.
import type { EventLink } from '../db/events.ts';
import { GENESIS_HASH } from '../domain/event-chain.ts';
import type { EvidenceChain } from './evidence-document.ts';

/**
 * Events written after a request is final that do not belong in its evidence: the callback deliveries
 * (events of callback tasks, `callback.*`) and the purge of the subject. Leaving them out makes the
 * evidence of a final request the same whenever it is built.
 */
export function isAfterFinalEvent(e: Pick<EventLink, 'type' | 'task_id'>, callbackTaskIds: ReadonlySet<string>): boolean {
  return e.type === 'subject.purged' || e.type.startsWith('callback.') || (e.task_id !== null && callbackTaskIds.has(e.task_id));
}

/** The part of a (valid) chain the evidence attests: all of it, or for a final request up to its last erasure event. */
export function evidenceChain(events: readonly EventLink[], final: boolean, callbackTaskIds: ReadonlySet<string>): EvidenceChain {
  let through = events.length;
  if (final) {
    while (through > 0 && isAfterFinalEvent(events[through - 1]!, callbackTaskIds)) through -= 1;
  }
  const head = through > 0 ? events[through - 1]!.hash : GENESIS_HASH;
  return { throughSeq: through, events: through, headHash: head };
}
