import { mlopsCommand } from '../../../cli/command-line';
import { ValidationError } from '../registry';
import { ApprovalDecision, closeApprovalRequest, putApprovalRequest } from './approvals';
import { TrainingDeps, pipelineActor } from './deps';
import { Evaluation } from './evaluate';
import { GateResult, promoteIfBetter } from './gate';
import { approvalMessage } from './messages';
import { CategoryOutcome, RunItem, briefReason } from './types';

type GatedItem = RunItem & { evaluation: Evaluation; gate: GateResult };

/**
 * First half of a manual approval: marks the version PENDING_APPROVAL, stores the task token
 * where the CLI finds it, and tells the approvers how to decide. The pipeline then waits for
 * the token (with a timeout) without running anything.
 */
export async function requestApproval(item: GatedItem & { taskToken: string }, deps: TrainingDeps): Promise<void> {
  if (typeof item.taskToken !== 'string' || item.taskToken === '') throw new ValidationError('taskToken', item.taskToken, 'the state machine passes $$.Task.Token');
  const now = deps.now();
  const actor = pipelineActor(deps.config, item.executionId);
  await deps.registry.setVersionStatus({ model: item.model, category: item.category, version: item.evaluation.version, status: 'PENDING_APPROVAL', actor, reason: item.gate.reason });
  const request = {
    model: item.model,
    category: item.category,
    version: item.evaluation.version,
    runId: item.runId,
    taskToken: item.taskToken,
    executionId: item.executionId,
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + deps.config.approvalTimeoutSeconds * 1000).toISOString(),
    status: 'PENDING' as const,
    metric: deps.config.evaluation.metric,
    metricValue: item.evaluation.metricValue,
    championVersion: item.gate.championVersion,
    championValue: item.gate.championValue,
    reason: item.gate.reason,
  };
  await putApprovalRequest(deps, request);
  const { subject, message } = approvalMessage(request);
  await deps.notifier.publish(subject, message);
}

/** Second half: applies the decision a human sent through the task token. */
export async function applyApproval(item: GatedItem & { approval: ApprovalDecision }, deps: TrainingDeps): Promise<CategoryOutcome> {
  const { approval } = item;
  const actor = typeof approval?.actor === 'string' && approval.actor.trim() !== '' ? approval.actor : 'unknown approver';
  const reason = approval?.reason && approval.reason.trim() !== '' ? approval.reason : `${approval?.decision === 'APPROVE' ? 'approved' : 'rejected'} by ${actor}`;
  const version = item.evaluation.version;
  const at = deps.now().toISOString();
  if (approval?.decision === 'APPROVE') {
    await deps.registry.setVersionStatus({ model: item.model, category: item.category, version, status: 'APPROVED', actor, reason });
    await closeApprovalRequest(deps, { model: item.model, category: item.category, version, status: 'APPROVED', actor, reason, at });
    // A human approved this very version: promote it even if production moved meanwhile.
    await deps.registry.promote({ model: item.model, category: item.category, version, actor, reason: `approved: ${reason}` });
    return { category: item.category, runId: item.runId, outcome: 'PROMOTED', version, reason: briefReason(`approved by ${actor}: ${reason}`) };
  }
  if (approval?.decision !== 'REJECT') {
    throw new ValidationError('decision', approval?.decision, 'send {"decision":"APPROVE"|"REJECT","actor":"<you>","reason":"..."} as the task output');
  }
  await deps.registry.setVersionStatus({ model: item.model, category: item.category, version, status: 'REJECTED', actor, reason });
  await closeApprovalRequest(deps, { model: item.model, category: item.category, version, status: 'REJECTED', actor, reason, at });
  return { category: item.category, runId: item.runId, outcome: 'REJECTED', version, reason: briefReason(`rejected by ${actor}: ${reason}`) };
}

/** Nobody decided in time: the version stays registered (promotable by hand later). */
export async function approvalTimedOut(item: GatedItem, deps: TrainingDeps): Promise<CategoryOutcome> {
  const version = item.evaluation.version;
  const actor = pipelineActor(deps.config, item.executionId);
  const promote = mlopsCommand('promote', [item.model, String(version)], { category: item.category, reason: '<why>' });
  const reason = `no approval within ${Math.round(deps.config.approvalTimeoutSeconds / 3600)} h; promote by hand with \`${promote}\` if still wanted`;
  await deps.registry.setVersionStatus({ model: item.model, category: item.category, version, status: 'REGISTERED', actor, reason });
  await closeApprovalRequest(deps, { model: item.model, category: item.category, version, status: 'EXPIRED', actor, reason, at: deps.now().toISOString() });
  return { category: item.category, runId: item.runId, outcome: 'APPROVAL_TIMED_OUT', version, reason };
}

/** The auto-promotion path, re-exported for the gate handler. */
export { promoteIfBetter };
