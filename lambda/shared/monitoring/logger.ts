// Structured JSON logging for every handler (and, in the same shape, the prediction server).
// One line per event: Powertools' own fields (level, message, timestamp, service) plus the
// correlation ids below. The saved Logs Insights queries of MlopsMonitoring filter on these
// names (LOG_FIELDS), so use this helper rather than ad-hoc console.log.
//
//   const logger = createLogger('train-step');
//   export async function handler(event, context) {
//     startInvocation(logger, context, { model: event.model, runId: event.runId, executionArn: event.executionArn });
//     logger.info('run finished', { status: 'SUCCEEDED' });
//   }
import { Logger } from '@aws-lambda-powertools/logger';
import { LOG_FIELDS } from './constants';

/** Correlation ids attached to every line of one invocation / request; undefined ones are omitted. */
export interface CorrelationIds {
  readonly model?: string;
  readonly category?: string;
  readonly runId?: string;
  readonly executionArn?: string;
  readonly requestId?: string;
}

/** A Powertools logger for one handler; the service name is the handler folder name. */
export function createLogger(serviceName: string, logLevel = process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO'): Logger {
  return new Logger({ serviceName, logLevel: logLevel as 'INFO' });
}

/** The defined correlation ids under their contract names (LOG_FIELDS). */
export function correlationKeys(ids: CorrelationIds): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, v: string | undefined) => { if (v !== undefined && v !== '') out[k] = v; };
  put(LOG_FIELDS.model, ids.model);
  put(LOG_FIELDS.category, ids.category);
  put(LOG_FIELDS.runId, ids.runId);
  put(LOG_FIELDS.executionArn, ids.executionArn);
  put(LOG_FIELDS.requestId, ids.requestId);
  return out;
}

/**
 * Starts the log context of one invocation: drops the previous invocation's keys (a warm
 * container reuses the logger), then adds the correlation ids. `requestId` defaults to the
 * Lambda request id.
 */
export function startInvocation(logger: Logger, context: { awsRequestId?: string } | undefined, ids: CorrelationIds): void {
  logger.resetKeys();
  logger.appendKeys(correlationKeys({ ...ids, requestId: ids.requestId ?? context?.awsRequestId }));
}

/**
 * Correlation ids found in a Step Functions task payload or an API event: accepts the names
 * the pipelines pass (`model`, `category`, `runId`, `executionArn`, and `$$.Execution.Id` passed
 * as `executionId`).
 */
export function correlationFrom(payload: unknown): CorrelationIds {
  const o = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    model: str(o.model),
    category: str(o.category),
    runId: str(o.runId),
    executionArn: str(o.executionArn) ?? str(o.executionId),
    requestId: str(o.requestId),
  };
}

/**
 * Wraps a Step Functions task handler: one logger per handler, correlation ids from the payload
 * (top level and its `item`), a line when the step finishes (with its duration) or fails (with
 * the error's name and message, then rethrown so Step Functions retries or catches it).
 */
export function loggedHandler<E, R>(serviceName: string, fn: (event: E) => Promise<R>): (event: E, context?: { awsRequestId?: string }) => Promise<R> {
  const logger = createLogger(serviceName);
  return async (event, context) => {
    const payload = (event && typeof event === 'object' ? event : {}) as Record<string, unknown>;
    const item = (payload.item && typeof payload.item === 'object' ? payload.item : {}) as Record<string, unknown>;
    startInvocation(logger, context, correlationFrom({ ...item, ...payload }));
    const started = Date.now();
    try {
      const result = await fn(event);
      logger.info('step finished', { durationMs: Date.now() - started, ...(typeof payload.action === 'string' ? { action: payload.action } : {}) });
      return result;
    } catch (e) {
      const err = e as Error;
      logger.error('step failed', { durationMs: Date.now() - started, errorName: err?.name, errorMessage: err?.message });
      throw e;
    }
  };
}
