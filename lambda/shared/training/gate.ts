import { mlopsCommand } from '../../../cli/command-line';
import { ConflictError } from '../registry';
import { TrainingDeps, pipelineActor } from './deps';
import { Evaluation } from './evaluate';
import { CategoryOutcome, EvaluationConfig, PromotionMode, RunItem, briefReason } from './types';

export type GateDecision = 'PROMOTE' | 'APPROVAL' | 'KEEP';

export interface GateResult {
  readonly decision: GateDecision;
  readonly reason: string;
  /** Production version compared against (0 = none). */
  readonly championVersion: number;
  readonly championValue?: number;
}

/** Whether a challenger's metric beats the champion's under the policy, and why (pure). */
export function compareWithChampion(challenger: number, champion: number | undefined, policy: EvaluationConfig): { better: boolean; reason: string } {
  const m = policy.metric;
  const maximize = policy.direction === 'maximize';
  if (policy.threshold !== undefined && (maximize ? challenger < policy.threshold : challenger > policy.threshold)) {
    return { better: false, reason: `${m} ${challenger} does not meet the threshold ${maximize ? '>=' : '<='} ${policy.threshold}` };
  }
  if (champion === undefined) return { better: true, reason: `${m} ${challenger}${policy.threshold !== undefined ? ` meets the threshold ${policy.threshold}` : ''}; no production version to beat` };
  const improvement = maximize ? challenger - champion : champion - challenger;
  if (improvement <= 0 || improvement < policy.minImprovement) {
    return { better: false, reason: `${m} ${challenger} does not beat the champion's ${champion} by the required ${policy.minImprovement > 0 ? policy.minImprovement : 'margin (strictly better)'} (${policy.direction})` };
  }
  return { better: true, reason: `${m} ${challenger} beats the champion's ${champion} by ${round(improvement)} (${policy.direction}, minimum ${policy.minImprovement})` };
}

/** Champion/challenger gate of one category's new version. */
export async function decide(item: RunItem & { evaluation: Evaluation }, deps: TrainingDeps): Promise<GateResult> {
  const { config } = deps;
  const production = await deps.registry.getProduction(item.model, item.category);
  const champion = production ? await deps.registry.getVersion(item.model, item.category, production.version) : undefined;
  const championValue = champion?.metrics[config.evaluation.metric];
  const championVersion = production?.version ?? 0;
  const cmp = compareWithChampion(item.evaluation.metricValue, championValue, config.evaluation);
  const base = { championVersion, championValue };
  // The reason ends up in the branch's outcome: keep it brief (see OUTCOME_REASON_MAX).
  if (item.experiment) return { ...base, decision: 'KEEP', reason: briefReason(`experiment run: registered, never promoted (${cmp.reason})`) };
  if (!cmp.better) return { ...base, decision: 'KEEP', reason: briefReason(cmp.reason) };
  const decided = byMode(config.promotion, cmp.reason, item);
  return { ...base, ...decided, reason: briefReason(decided.reason) };
}

function byMode(mode: PromotionMode, reason: string, item: RunItem & { evaluation: Evaluation }): { decision: GateDecision; reason: string } {
  if (mode === 'auto') return { decision: 'PROMOTE', reason };
  if (mode === 'manual') return { decision: 'APPROVAL', reason: `${reason}; waiting for approval` };
  const promote = mlopsCommand('promote', [item.model, String(item.evaluation.version)], { category: item.category, reason: '<why>' });
  return { decision: 'KEEP', reason: `${reason}; promotion mode is "none": promote by hand with \`${promote}\`` };
}

/**
 * Promotes the version when it still beats production. Optimistic concurrency: if production
 * changed since the gate (someone promoted meanwhile), compares again with the new champion.
 */
export async function promoteIfBetter(item: RunItem & { evaluation: Evaluation; gate: GateResult }, deps: TrainingDeps): Promise<CategoryOutcome> {
  let gate = item.gate;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (gate.decision !== 'PROMOTE') break;
    try {
      await deps.registry.promote({
        model: item.model,
        category: item.category,
        version: item.evaluation.version,
        actor: pipelineActor(deps.config, item.executionId),
        reason: gate.reason,
        expectedCurrentVersion: gate.championVersion,
        // This execution's batch inference scores it after the Map: the ScoreOnPromotion rule must not score it again.
        scoredByCaller: deps.config.scoredByPipeline === true,
      });
      return { category: item.category, runId: item.runId, outcome: 'PROMOTED', version: item.evaluation.version, reason: gate.reason };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      gate = await decide(item, deps);
    }
  }
  return { category: item.category, runId: item.runId, outcome: 'REGISTERED', version: item.evaluation.version, reason: gate.reason };
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
