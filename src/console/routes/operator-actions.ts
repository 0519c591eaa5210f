// The operator actions, in the order the request page offers them. Issue 14 adds skip, resolve and
// extend here (each a definition like retryAction).
import type { OperatorAction } from '../operator-action.ts';
import { retryAction } from './retry-request.ts';

export const OPERATOR_ACTIONS: readonly OperatorAction[] = [retryAction];
