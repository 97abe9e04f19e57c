// Runs every pattern check over the platform's specs. Findings a spec acknowledges (with a
// reason) are kept but marked, so the synth output still shows them.
import { ModelSpec } from '../spec/model-spec';
import { compositionFitsSlo } from './composition-fits-slo';
import { compositionModelsServed } from './composition-models-served';
import { gpuComputeVcpuCap } from './gpu-compute-vcpu-cap';
import { ingestionFeedsTraining } from './ingestion-feeds-training';
import { modelLatencyFitsSlo } from './model-latency-fits-slo';
import { oneModelPerService } from './one-model-per-service';
import { CheckLevel, CheckOutcome, Compliance, PatternCheck } from './pattern-check';
import { scheduleMeetsRpo } from './schedule-meets-rpo';
import { servingHasFallback } from './serving-has-fallback';
import { ttlOutlivesNextBatch } from './ttl-outlives-next-batch';
import { asyncResultOutlivesPolling } from './async-result-outlives-polling';
import { featureGroupDeclaredOnce } from './feature-group-declared-once';
import { joinedFeatureGroupMatches } from './joined-feature-group-matches';

/** Every pattern check, in report order. */
export const PATTERN_CHECKS: readonly PatternCheck[] = [
  ttlOutlivesNextBatch,
  scheduleMeetsRpo,
  modelLatencyFitsSlo,
  oneModelPerService,
  gpuComputeVcpuCap,
  servingHasFallback,
  asyncResultOutlivesPolling,
  compositionFitsSlo,
  compositionModelsServed,
  ingestionFeedsTraining,
  featureGroupDeclaredOnce,
  joinedFeatureGroupMatches,
];

/** Id of the finding raised for an acknowledgement that names no known check. */
export const UNKNOWN_ACKNOWLEDGEMENT = 'MLOPS-UnknownAcknowledgement';

/** Id of the finding raised for an acknowledgement of a check that finds nothing in its model. */
export const STALE_ACKNOWLEDGEMENT = 'MLOPS-StaleAcknowledgement';

/** A non-compliant model. */
export interface PatternFinding {
  readonly id: string;
  readonly level: CheckLevel;
  readonly model: string;
  readonly file: string;
  /** Spec field the finding points at. */
  readonly path: string;
  readonly info: string;
  readonly explanation: string;
  /** The values behind the finding and the fix. */
  readonly detail: string;
  /** The spec's reason, when the finding is acknowledged (acknowledged findings never fail). */
  readonly acknowledgedReason?: string;
}

/** Findings of every check over the specs (compliant and not-applicable outcomes are left out). */
export function runPatternChecks(specs: readonly ModelSpec[], checks: readonly PatternCheck[] = PATTERN_CHECKS): PatternFinding[] {
  const findings: PatternFinding[] = [];
  const byName = new Map(specs.map((s) => [s.name, s]));
  const known = new Set(checks.map((c) => c.id));
  for (const check of checks) {
    const outcomes: Array<[ModelSpec, CheckOutcome]> = check.scope === 'model'
      ? specs.map((s) => [s, check.check(s)])
      : [...check.check(specs)].map(([name, o]) => [byName.get(name)!, o]);
    for (const [spec, outcome] of outcomes) {
      if (outcome.compliance !== Compliance.NON_COMPLIANT) continue;
      findings.push({
        id: check.id, level: check.level, model: spec.name, file: spec.file, path: outcome.path ?? '',
        info: check.info, explanation: check.explanation, detail: outcome.detail ?? '',
        acknowledgedReason: check.acknowledgeable === false ? undefined : spec.acknowledgements.find((a) => a.id === check.id)?.reason,
      });
    }
  }
  for (const spec of specs) {
    spec.acknowledgements.forEach((a, n) => {
      if (known.has(a.id)) {
        if (findings.some((f) => f.model === spec.name && f.id === a.id)) return;
        findings.push({
          id: STALE_ACKNOWLEDGEMENT, level: CheckLevel.WARNING, model: spec.name, file: spec.file, path: `acknowledge[${n}]`,
          info: 'An acknowledgement matches no finding.',
          explanation: 'What it acknowledged was fixed (or never applied to this model); left in place it would silently accept the finding '
            + 'if the problem came back.',
          detail: `${a.id} finds nothing in this model; remove the acknowledgement`,
        });
        return;
      }
      findings.push({
        id: UNKNOWN_ACKNOWLEDGEMENT, level: CheckLevel.ERROR, model: spec.name, file: spec.file, path: `acknowledge[${n}].id`,
        info: 'An acknowledgement names no known pattern check.',
        explanation: 'A misspelt id acknowledges nothing, so the finding it was meant for would still fail (or was already fixed).',
        detail: `"${a.id}" is not one of ${[...known].join(', ')}; fix the id or remove the acknowledgement`,
      });
    });
  }
  return findings;
}

/** One line per finding: level, id, model, file and path, what, the numbers and the fix. */
export function formatFinding(f: PatternFinding): string {
  const ack = f.acknowledgedReason ? ` (acknowledged: ${f.acknowledgedReason})` : '';
  return `[${f.level}] ${f.id} ${f.model} (${f.file}${f.path ? `: ${f.path}` : ''}): ${f.info} ${f.detail}${ack}`;
}

/** Thrown when an unacknowledged error-level finding exists; lists every finding. */
export class PatternCheckError extends Error {
  constructor(readonly findings: readonly PatternFinding[]) {
    const errors = findings.filter((f) => f.level === CheckLevel.ERROR && !f.acknowledgedReason).length;
    super(`${errors} MLOps pattern check error(s):\n${findings.map((f) => `  - ${formatFinding(f)}`).join('\n')}\n`
      + 'Fix the spec, or acknowledge a finding in it: acknowledge: [{ id: <check id>, reason: <why it is acceptable> }]');
    this.name = 'PatternCheckError';
  }
}

/**
 * Runs the checks and throws PatternCheckError (listing all findings) when an unacknowledged
 * error-level finding exists; otherwise returns the findings (warnings and acknowledged ones).
 */
export function assertPatternChecks(specs: readonly ModelSpec[], checks: readonly PatternCheck[] = PATTERN_CHECKS): PatternFinding[] {
  const findings = runPatternChecks(specs, checks);
  if (findings.some((f) => f.level === CheckLevel.ERROR && !f.acknowledgedReason)) throw new PatternCheckError(findings);
  return findings;
}
