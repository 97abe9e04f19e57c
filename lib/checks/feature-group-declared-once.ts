import { featureGroupIdentity } from '../feature-store/feature-group';
import { ModelSpec } from '../spec/model-spec';
import { CheckLevel, CheckOutcome, PlatformCheck, compliant, nonCompliant, notApplicable } from './pattern-check';

/** Where each spec declares a group (`features.groups[i].name`). */
interface Declaration {
  readonly spec: ModelSpec;
  readonly index: number;
  readonly name: string;
}

/**
 * A feature group declared by two specs. Sharing is by reference: one spec declares a group (its
 * model's stack owns it) and the others join it by name, because a second declaration is a
 * second CloudFormation resource with the same physical name.
 */
export const featureGroupDeclaredOnce: PlatformCheck = {
  id: 'MLOPS-FeatureGroupDeclaredOnce',
  scope: 'platform',
  level: CheckLevel.ERROR,
  acknowledgeable: false,
  info: 'A feature group is declared by more than one spec.',
  explanation: 'Each spec\'s groups are created in its own model stack under the name as written, and a feature group name is unique per account '
    + 'and region (case-insensitive, as its ARN is lowercase): the second stack to deploy fails and rolls back. Models share a group by joining it, '
    + 'not by declaring it again. This finding cannot be acknowledged.',
  check(specs: readonly ModelSpec[]) {
    const byIdentity = new Map<string, Declaration[]>();
    for (const spec of specs) {
      spec.features?.groups.forEach((g, index) => {
        const key = featureGroupIdentity(g.name);
        byIdentity.set(key, [...(byIdentity.get(key) ?? []), { spec, index, name: g.name }]);
      });
    }
    const out = new Map<string, CheckOutcome>();
    for (const spec of specs) {
      const groups = spec.features?.groups ?? [];
      if (groups.length === 0) { out.set(spec.name, notApplicable()); continue; }
      const clash = groups.map((g, index) => ({ g, index, others: byIdentity.get(featureGroupIdentity(g.name))!.filter((d) => d.spec !== spec) }))
        .find((c) => c.others.length > 0);
      if (!clash) { out.set(spec.name, compliant()); continue; }
      const where = clash.others.map((d) => `${d.spec.file} (features.groups[${d.index}].name)${d.name === clash.g.name ? '' : ` as "${d.name}"`}`).join(' and ');
      out.set(spec.name, nonCompliant(`features.groups[${clash.index}].name`,
        `"${clash.g.name}" is also declared by ${where}, and a feature group name is unique per account and region, so the second stack to deploy fails; `
        + `keep the declaration in one spec and remove it from the others, which join the group by name (features.training.join: [{ group: ${clash.g.name}, features: [...] }])`));
    }
    return out;
  },
};
