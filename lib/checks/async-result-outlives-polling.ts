import { ModelSpec } from '../spec/model-spec';
import { formatDuration } from '../spec/units';
import { CheckLevel, ModelCheck, compliant, nonCompliant, notApplicable } from './pattern-check';

/**
 * The async composition's risk: a result that expires while its client still polls. The job
 * item's TTL (and the results bucket's lifecycle) is counted from submission, like the poll window.
 */
export const asyncResultOutlivesPolling: ModelCheck = {
  id: 'MLOPS-AsyncResultOutlivesPolling',
  scope: 'model',
  level: CheckLevel.ERROR,
  info: 'The async result retention is shorter than the window in which clients poll for results.',
  explanation: 'A job that finishes late in the poll window would already be deleted when its client asks for it: the client gets 404 for '
    + 'an answer the platform computed and paid for, and submits it again. Keep results at least as long as clients poll.',
  check(spec: ModelSpec) {
    const a = spec.inference.async;
    if (!a) return notApplicable();
    if (a.resultRetentionSeconds >= a.pollWindowSeconds) return compliant();
    const retention = formatDuration(a.resultRetentionSeconds * 1000);
    const poll = formatDuration(a.pollWindowSeconds * 1000);
    return nonCompliant('inference.async.resultRetention', `resultRetention ${retention} < pollWindow ${poll}; set resultRetention to at least ${poll}, or shorten pollWindow`);
  },
};
