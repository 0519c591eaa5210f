// Why an operator acted on a request, as the audit trail records it. A code from this list, never free
// text: the trail is kept for ever and cannot be purged, and a typed note could hold the very identifier
// (an e-mail address, a phone number) the request erases.
export const OPERATOR_REASONS = ['upstream_recovered', 'connection_fixed', 'rate_limit_lifted', 'transient_failure', 'other'] as const;
export type OperatorReason = (typeof OPERATOR_REASONS)[number];

export function isOperatorReason(value: unknown): value is OperatorReason {
  return typeof value === 'string' && (OPERATOR_REASONS as readonly string[]).includes(value);
}
