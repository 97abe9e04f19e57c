import { mlopsCommand } from '../../../cli/command-line';
import { ApprovalRequest } from './approvals';
import { CategoryOutcome } from './types';

/** Approval notification: what to compare, and exactly how to approve or reject. */
export function approvalMessage(req: ApprovalRequest): { subject: string; message: string } {
  const output = (d: string) => `'{"decision":"${d}","actor":"<your name>","reason":"<why>"}'`;
  return {
    subject: `[mlops] approval needed: ${req.model}/${req.category} version ${req.version}`,
    message: [
      `Version ${req.version} of ${req.model}/${req.category} (run ${req.runId}) is waiting for approval until ${req.expiresAt}.`,
      `${req.metric}: ${req.metricValue}${req.championVersion ? ` (production version ${req.championVersion}: ${req.championValue ?? 'n/a'})` : ' (no production version yet)'}.`,
      `Gate: ${req.reason}.`,
      '',
      'Approve (promotes the version):',
      `  ${mlopsCommand('approve', [req.model, String(req.version)], { category: req.category, reason: '<why>' })}`,
      `  or: aws stepfunctions send-task-success --task-token '${req.taskToken}' --task-output ${output('APPROVE')}`,
      'Reject (marks the version REJECTED):',
      `  ${mlopsCommand('reject', [req.model, String(req.version)], { category: req.category, reason: '<why>' })}`,
      `  or: aws stepfunctions send-task-success --task-token '${req.taskToken}' --task-output ${output('REJECT')}`,
      '',
      `Without a decision the version stays registered and can be promoted later with \`${mlopsCommand('promote', [req.model, String(req.version)], { category: req.category, reason: '<why>' })}\`. Execution: ${req.executionId}`,
    ].join('\n'),
  };
}

export function summaryMessage(input: {
  model: string; executionDate: string; executionId: string; status: string; outcomes: CategoryOutcome[]; failed: number; tolerated: number;
}): { subject: string; message: string } {
  const lines = input.outcomes.map((o) => `- ${o.category}: ${o.outcome}${o.version ? ` (version ${o.version})` : ''} - ${o.reason}`);
  return {
    subject: `[mlops] training ${input.status === 'FAILED' ? 'FAILED' : 'partially failed'}: ${input.model} ${input.executionDate}`,
    message: [
      `Training of ${input.model} for ${input.executionDate}: ${input.failed} of ${input.outcomes.length} categories failed (tolerated: ${input.tolerated}%).`,
      ...lines,
      '',
      `Runs: \`${mlopsCommand('runs', [input.model], { status: 'FAILED' })}\`. Execution: ${input.executionId}`,
    ].join('\n'),
  };
}

export function abortedMessage(input: { model: string; executionDate?: string; executionId: string; error: string; cause: string }): { subject: string; message: string } {
  return {
    subject: `[mlops] training aborted before training: ${input.model}${input.executionDate ? ` ${input.executionDate}` : ''}`,
    message: [
      `Training of ${input.model}${input.executionDate ? ` for ${input.executionDate}` : ''} stopped before any training job started.`,
      `${input.error}: ${input.cause}`,
      '',
      `Fix the input and start the execution again. Execution: ${input.executionId}`,
    ].join('\n'),
  };
}
