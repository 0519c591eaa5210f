// The operator actions, in the order the request page offers them: on the request (re-drive, extend),
// and on each task's row (skip, resolve).
import type { OperatorAction } from '../operator-action.ts';
import { resolveAction, skipAction } from './close-task-actions.ts';
import { extendAction } from './extend-deadline.ts';
import { retryAction } from './retry-request.ts';

export const OPERATOR_ACTIONS: readonly OperatorAction[] = [retryAction, extendAction, skipAction, resolveAction];
