import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mlopsCommand } from '../../../cli/command-line';
import { ConflictError, NotFoundError, ValidationError } from '../registry';
import { keys } from '../registry/keys';
import { APPROVAL_ENTITY, APPROVAL_SK_PREFIX } from './constants';

// Design: the task token of a manual approval is stored as its own item in the registry table
// (same partition as the versions of the model/category, sort key APPROVAL#<version>), so the
// `mlops` CLI can find it by model, category and version without reading SNS. The registry
// core is not changed: it never reads these items (its queries use V#, P#, RUNREF# prefixes)
// and change-event filters ignore the APPROVAL_REQUEST entity. Items are closed, never deleted,
// because registry grants carry no DeleteItem (the audit trail cannot be erased).

export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED';

export interface ApprovalRequest {
  readonly model: string;
  readonly category: string;
  readonly version: number;
  readonly runId: string;
  readonly taskToken: string;
  readonly executionId: string;
  readonly requestedAt: string;
  /** When the pipeline stops waiting (ISO). */
  readonly expiresAt: string;
  readonly status: ApprovalStatus;
  readonly metric: string;
  readonly metricValue: number;
  readonly championVersion: number;
  readonly championValue?: number;
  readonly reason: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly decisionReason?: string;
}

/** What an approver sends back to the waiting pipeline (the task output). */
export interface ApprovalDecision {
  readonly decision: 'APPROVE' | 'REJECT';
  readonly actor: string;
  readonly reason?: string;
}

/** Where a decision is delivered: Step Functions in AWS, the local runner locally. */
export interface TaskTokenSink {
  sendTaskSuccess(taskToken: string, output: string): Promise<void>;
  sendTaskFailure?(taskToken: string, error: string, cause: string): Promise<void>;
}

export class SfnTaskTokenSink implements TaskTokenSink {
  constructor(private readonly client: SFNClient = new SFNClient({})) {}
  async sendTaskSuccess(taskToken: string, output: string): Promise<void> {
    await this.client.send(new SendTaskSuccessCommand({ taskToken, output }));
  }
  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    await this.client.send(new SendTaskFailureCommand({ taskToken, error, cause }));
  }
}

export interface ApprovalStore {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
}

const sk = (version: number) => `${APPROVAL_SK_PREFIX}${String(version).padStart(10, '0')}`;

export async function putApprovalRequest(store: ApprovalStore, req: ApprovalRequest): Promise<void> {
  await store.doc.send(new PutCommand({
    TableName: store.tableName,
    Item: { pk: keys.line(req.model, req.category), sk: sk(req.version), entity: APPROVAL_ENTITY, ...req },
  }));
}

export async function getApprovalRequest(store: ApprovalStore, model: string, category: string, version: number): Promise<ApprovalRequest | undefined> {
  const res = await store.doc.send(new GetCommand({ TableName: store.tableName, Key: { pk: keys.line(model, category), sk: sk(version) }, ConsistentRead: true }));
  return res.Item ? strip(res.Item) : undefined;
}

/** Approval requests of (model, category), newest version first; pending ones only by default. */
export async function listApprovalRequests(store: ApprovalStore, model: string, category: string, opts: { includeClosed?: boolean } = {}): Promise<ApprovalRequest[]> {
  const res = await store.doc.send(new QueryCommand({
    TableName: store.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': keys.line(model, category), ':p': APPROVAL_SK_PREFIX },
    ScanIndexForward: false,
    ConsistentRead: true,
  }));
  return (res.Items ?? []).map(strip).filter((r) => opts.includeClosed || r.status === 'PENDING');
}

/** Closes a pending request (idempotent for the same status). */
export async function closeApprovalRequest(store: ApprovalStore, input: { model: string; category: string; version: number; status: Exclude<ApprovalStatus, 'PENDING'>; actor: string; reason?: string; at: string }): Promise<void> {
  try {
    await store.doc.send(new UpdateCommand({
      TableName: store.tableName,
      Key: { pk: keys.line(input.model, input.category), sk: sk(input.version) },
      UpdateExpression: 'SET #s = :s, decidedBy = :a, decidedAt = :t, decisionReason = :r',
      ConditionExpression: 'attribute_exists(pk) AND #s = :pending',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': input.status, ':a': input.actor, ':t': input.at, ':r': input.reason ?? '', ':pending': 'PENDING' },
    }));
  } catch (e) {
    if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    // Already closed (e.g. decided through the CLI, then applied by the pipeline): fine.
  }
}

/**
 * Approves or rejects a version waiting for approval: finds its task token and hands the
 * decision to the waiting pipeline, which promotes or rejects. What `mlops approve/reject` calls.
 */
export async function decideApproval(store: ApprovalStore, sink: TaskTokenSink, input: {
  model: string; category: string; version: number; decision: 'APPROVE' | 'REJECT'; actor: string; reason?: string; now?: () => Date;
}): Promise<ApprovalRequest> {
  if (input.decision !== 'APPROVE' && input.decision !== 'REJECT') throw new ValidationError('decision', input.decision, 'use APPROVE or REJECT');
  if (typeof input.actor !== 'string' || input.actor.trim() === '') throw new ValidationError('actor', input.actor, 'say who decides (a user name)');
  const req = await getApprovalRequest(store, input.model, input.category, input.version);
  if (!req) throw new NotFoundError(`an approval request for version ${input.version} of ${input.model}/${input.category}`, `nothing is waiting for a decision on it (already decided or timed out); promote it with \`${mlopsCommand('promote', [input.model, String(input.version)], { category: input.category, reason: '<why>' })}\``);
  if (req.status !== 'PENDING') throw new ConflictError(`version ${input.version} of ${input.model}/${input.category} is no longer waiting for approval (${req.status}${req.decidedBy ? ` by ${req.decidedBy}` : ''})`);
  const decision: ApprovalDecision = { decision: input.decision, actor: input.actor, reason: input.reason };
  await sink.sendTaskSuccess(req.taskToken, JSON.stringify(decision));
  const at = (input.now ?? (() => new Date()))().toISOString();
  await closeApprovalRequest(store, { model: req.model, category: req.category, version: req.version, status: input.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED', actor: input.actor, reason: input.reason, at });
  return { ...req, status: input.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED', decidedBy: input.actor, decidedAt: at, decisionReason: input.reason };
}

function strip(item: Record<string, unknown>): ApprovalRequest {
  const { pk: _pk, sk: _sk, entity: _e, ...rest } = item;
  return rest as unknown as ApprovalRequest;
}
