import { createHash } from 'node:crypto';

// Run ids double as training job names (plus "-<attempt>"), so they follow the stricter
// SageMaker job name rule ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$ and stay within 63 characters:
// model (<= 20) - category (<= 12) - yyyymmdd - hash (6) - attempt (<= 3).

/** The first part of every run id (and training job name) of a model; IAM scopes jobs by it. */
export function runIdPrefix(model: string): string {
  return sanitize(model, 20);
}

/**
 * A readable, deterministic run id: the same execution and category always give the same id,
 * so a retried plan step does not create new runs.
 */
export function makeRunId(model: string, category: string, executionDate: string, executionId: string, experiment: boolean): string {
  const hash = createHash('sha256').update(`${executionId}\n${category}\n${experiment}`).digest('hex').slice(0, 6);
  return `${runIdPrefix(model)}-${sanitize(category, 12)}-${executionDate.replace(/-/g, '')}-${hash}`;
}

function sanitize(value: string, max: number): string {
  const s = value.replace(/[^A-Za-z0-9]+/g, '-').slice(0, max).replace(/^-+|-+$/g, '');
  return s === '' ? 'x' : s;
}
