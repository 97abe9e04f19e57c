import { ValidationError } from '../shared/registry';
import { applyApproval, approvalTimedOut, promoteIfBetter, requestApproval } from '../shared/training/approval-flow';
import { ApprovalDecision } from '../shared/training/approvals';
import { TrainingDeps, depsFromEnv } from '../shared/training/deps';
import { Evaluation } from '../shared/training/evaluate';
import { GateResult, decide } from '../shared/training/gate';
import { CategoryOutcome, RunItem } from '../shared/training/types';
import { loggedHandler } from '../shared/monitoring/logger';

type Gated = RunItem & { evaluation: Evaluation; gate: GateResult };

export type GateEvent =
  | { readonly action: 'decide'; readonly item: RunItem & { evaluation: Evaluation } }
  | { readonly action: 'promote'; readonly item: Gated }
  | { readonly action: 'request-approval'; readonly item: Gated; readonly taskToken: string }
  | { readonly action: 'apply-approval'; readonly item: Gated & { approval: ApprovalDecision } }
  | { readonly action: 'approval-timeout'; readonly item: Gated };

/** Champion/challenger gate and what follows it: promote, ask for approval, apply the decision. */
export async function gate(event: GateEvent, deps: TrainingDeps = depsFromEnv()): Promise<GateResult | CategoryOutcome | { requested: true }> {
  switch (event.action) {
    case 'decide': return decide(event.item, deps);
    case 'promote': return promoteIfBetter(event.item, deps);
    case 'request-approval':
      await requestApproval({ ...event.item, taskToken: event.taskToken }, deps);
      return { requested: true };
    case 'apply-approval': return applyApproval(event.item, deps);
    case 'approval-timeout': return approvalTimedOut(event.item, deps);
    default:
      throw new ValidationError('action', (event as { action?: unknown }).action, 'use decide, promote, request-approval, apply-approval or approval-timeout');
  }
}

export const handler = loggedHandler('training-gate', (event: GateEvent) => gate(event));
