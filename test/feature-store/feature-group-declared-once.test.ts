// MLOPS-FeatureGroupDeclaredOnce: two specs declaring the same feature group (after the
// normalisation AWS applies to its names) fail `mlops validate`, `cdk synth` and the platform's
// constructs; joining another spec's group is the way to share it.
import fc from 'fast-check';
import { App } from 'aws-cdk-lib';
import { Compliance, PatternCheckError, featureGroupDeclaredOnce, runPatternChecks } from '../../lib/checks';
import { formatSpecReport, reportErrors, validateModelSpecs } from '../../lib/checks/spec-report';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { ModelSpec } from '../../lib/spec/model-spec';
import { MINIMAL_YAML, modelsDir, specWith } from '../spec/fixtures';

const group = (name: string) => ({
  name, recordIdentifier: 'customer_id', eventTime: 'event_time',
  definitions: [{ name: 'customer_id', type: 'String' }, { name: 'event_time', type: 'String' }, { name: 'spend', type: 'Fractional' }],
});
const withGroups = (model: string, names: string[]) => specWith(names.length ? { features: { groups: names.map(group) } } : {}, model);

describe('MLOPS-FeatureGroupDeclaredOnce', () => {
  test('compliant: each group declared once, another model joins it by name', () => {
    const owner = withGroups('churn', ['customer-profile']);
    const joiner = specWith({ features: { groups: [group('upsell-labels')], training: { labels: 'upsell-labels', columns: [], join: [{ group: 'customer-profile', features: ['spend_30d'] }] } } }, 'upsell');
    const out = featureGroupDeclaredOnce.check([owner, joiner]);
    expect([...out.values()].map((o) => o.compliance)).toEqual([Compliance.COMPLIANT, Compliance.COMPLIANT]);
  });

  test('not applicable to a model without feature groups', () => {
    expect(featureGroupDeclaredOnce.check([withGroups('demand', [])]).get('demand')?.compliance).toBe(Compliance.NOT_APPLICABLE);
  });

  test('non-compliant: both specs are named, with the field, the value and the fix', () => {
    const out = featureGroupDeclaredOnce.check([withGroups('churn', ['churn-labels', 'customer-profile']), withGroups('upsell', ['customer-profile'])]);
    expect(out.get('churn')).toEqual({
      compliance: Compliance.NON_COMPLIANT, path: 'features.groups[1].name',
      detail: '"customer-profile" is also declared by models/upsell/model.yaml (features.groups[0].name), and a feature group name is unique per account and region, so the second stack to deploy fails; '
        + 'keep the declaration in one spec and remove it from the others, which join the group by name (features.training.join: [{ group: customer-profile, features: [...] }])',
    });
    expect(out.get('upsell')).toMatchObject({ path: 'features.groups[0].name', detail: expect.stringContaining('also declared by models/churn/model.yaml (features.groups[1].name)') });
  });

  test('names that differ only in case collide (the ARN spells the name in lowercase)', () => {
    const upper = withGroups('upsell', ['customer-profile']);
    const spec: ModelSpec = { ...upper, features: { groups: [{ ...upper.features!.groups[0], name: 'Customer-Profile' }] } };
    const out = featureGroupDeclaredOnce.check([withGroups('churn', ['customer-profile']), spec]);
    expect(out.get('churn')).toMatchObject({ compliance: Compliance.NON_COMPLIANT, detail: expect.stringContaining('also declared by models/upsell/model.yaml (features.groups[0].name) as "Customer-Profile"') });
  });

  test('an acknowledgement does not silence it: a second declaration always fails at deployment', () => {
    const spec = specWith({ features: { groups: [group('customer-profile')] }, acknowledge: [{ id: 'MLOPS-FeatureGroupDeclaredOnce', reason: 'both models need the customer profile' }] }, 'upsell');
    const findings = runPatternChecks([withGroups('churn', ['customer-profile']), spec]).filter((f) => f.id === 'MLOPS-FeatureGroupDeclaredOnce');
    expect(findings.map((f) => [f.model, f.acknowledgedReason])).toEqual([['churn', undefined], ['upsell', undefined]]);
  });

  test('generated sets of specs: exactly the specs sharing a (normalised) group name with another spec fail', () => {
    const names = fc.constantFrom('customer-profile', 'store-stats', 'labels', 'orders-7d');
    const specs = fc.array(fc.uniqueArray(names, { maxLength: 3 }), { minLength: 1, maxLength: 4 });
    fc.assert(fc.property(specs, (groupsPerSpec) => {
      const built = groupsPerSpec.map((g, i) => withGroups(`model-${i}`, g));
      const out = featureGroupDeclaredOnce.check(built);
      const colliding = (i: number) => groupsPerSpec[i].some((g) => groupsPerSpec.some((other, k) => k !== i && other.includes(g)));
      built.forEach((s, i) => {
        const compliance = out.get(s.name)!.compliance;
        expect(compliance).toBe(colliding(i) ? Compliance.NON_COMPLIANT : groupsPerSpec[i].length ? Compliance.COMPLIANT : Compliance.NOT_APPLICABLE);
      });
    }), { numRuns: 200 });
  });
});

describe('every entry point refuses a second declaration', () => {
  const yaml = (model: string) => `${MINIMAL_YAML.replace('name: demand', `name: ${model}`)}
features:
  groups:
    - name: customer-profile
      recordIdentifier: customer_id
      eventTime: event_time
      definitions:
        - { name: customer_id, type: String }
        - { name: event_time, type: String }
`;

  test('`mlops validate` and `cdk synth` (validateModelSpecs): an error naming both spec files', () => {
    const { dir, cleanup } = modelsDir({ 'churn/model.yaml': yaml('churn'), 'upsell/model.yaml': yaml('upsell') });
    try {
      const report = validateModelSpecs(dir);
      expect(reportErrors(report)).toBe(2);
      const text = formatSpecReport(report, dir);
      expect(text).toContain('error: churn/model.yaml: features.groups[0].name: MLOPS-FeatureGroupDeclaredOnce:');
      expect(text).toMatch(/"customer-profile" is also declared by .*upsell\/model\.yaml \(features\.groups\[0\]\.name\)/);
      expect(text).toMatch(/fix: keep the declaration in one spec/);
    } finally {
      cleanup();
    }
  });

  test('MlopsPlatformStacks throws before building any stack', () => {
    expect(() => new MlopsPlatformStacks(new App(), { models: [withGroups('churn', ['customer-profile']), withGroups('upsell', ['customer-profile'])] }))
      .toThrow(PatternCheckError);
    expect(() => new MlopsPlatformStacks(new App(), { models: [withGroups('churn', ['customer-profile']), withGroups('upsell', ['customer-profile'])] }))
      .toThrow(/MLOPS-FeatureGroupDeclaredOnce upsell .*"customer-profile" is also declared by models\/churn\/model\.yaml/);
  });
});
