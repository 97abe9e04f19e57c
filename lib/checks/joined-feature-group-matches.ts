import { featureGroupIdentity } from '../feature-store/feature-group';
import { FeatureGroupSpec, ModelSpec } from '../spec/model-spec';
import { CheckLevel, CheckOutcome, PlatformCheck, compliant, nonCompliant, notApplicable } from './pattern-check';

/**
 * A join of another spec's feature group that does not match that group's declaration. A spec
 * only knows another model's group by the names it writes (features, identifier, event time), so
 * when the declaring spec is on the same platform the two are compared here, not at query time.
 */
export const joinedFeatureGroupMatches: PlatformCheck = {
  id: 'MLOPS-JoinedFeatureGroupMatches',
  scope: 'platform',
  level: CheckLevel.ERROR,
  acknowledgeable: false,
  info: 'A training join names another model\'s feature group with features, a record identifier or an event time that group does not declare.',
  explanation: 'The training query reads the joined group\'s offline-store table by these names: a name the group lacks fails the query, '
    + 'so every run of the category fails before training. A group declared by no spec of the platform (another platform\'s) is not checked. '
    + 'This finding cannot be acknowledged.',
  check(specs: readonly ModelSpec[]) {
    const declared = new Map<string, { spec: ModelSpec; group: FeatureGroupSpec }>();
    for (const spec of specs) for (const group of spec.features?.groups ?? []) declared.set(featureGroupIdentity(group.name), { spec, group });
    const out = new Map<string, CheckOutcome>();
    for (const spec of specs) {
      const own = new Set((spec.features?.groups ?? []).map((g) => featureGroupIdentity(g.name)));
      const joins = (spec.features?.training?.join ?? []).map((j, i) => ({ j, i })).filter(({ j }) => !own.has(featureGroupIdentity(j.group)));
      const checked = joins.flatMap(({ j, i }) => {
        const d = declared.get(featureGroupIdentity(j.group));
        return d ? [{ j, i, d }] : [];
      });
      if (checked.length === 0) { out.set(spec.name, notApplicable()); continue; }
      const problem = checked.map(({ j, i, d }) => {
        const names = d.group.definitions.map((x) => x.name);
        const by = `${j.group} (declared by ${d.spec.file})`;
        const missing = j.features.findIndex((f) => !names.includes(f));
        if (missing >= 0) return { path: `features.training.join[${i}].features[${missing}]`, detail: `"${j.features[missing]}" is not a feature of ${by}, whose features are ${names.join(', ')}; name one of them` };
        for (const [field, written, actual] of [['recordIdentifier', j.recordIdentifier, d.group.recordIdentifier], ['eventTime', j.eventTime, d.group.eventTime]] as const) {
          if (written !== actual) return { path: `features.training.join[${i}].${field}`, detail: `"${written}" is not the ${field} of ${by}, which is "${actual}"; write ${field}: ${actual} in the join` };
        }
        return undefined;
      }).find((p) => p !== undefined);
      out.set(spec.name, problem ? nonCompliant(problem.path, problem.detail) : compliant());
    }
    return out;
  },
};
