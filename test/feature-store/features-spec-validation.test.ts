import { parse } from 'yaml';
import { parseModelSpecObject } from '../../lib/spec';
import { MINIMAL_YAML, specWith } from '../spec/fixtures';
import { FEATURES } from './features-spec';

/** The problems the loader reports for the minimal spec with `features`. */
function problems(features: unknown) {
  return parseModelSpecObject({ ...(parse(MINIMAL_YAML) as object), features }, { file: 'models/demand/model.yaml' }).problems;
}
const group = (over: Record<string, unknown> = {}) => ({
  name: 'profile', recordIdentifier: 'customer_id', eventTime: 'event_time',
  definitions: [{ name: 'customer_id', type: 'String' }, { name: 'event_time', type: 'String' }, { name: 'spend', type: 'Fractional' }], ...over,
});

describe('features in the spec', () => {
  test('resolves defaults: offline only, label columns and joined features from the declarations, names for another model\'s group', () => {
    const spec = specWith({ features: FEATURES });
    expect(spec.features!.groups.map((g) => [g.name, g.online])).toEqual([['churn-labels', false], ['customer-profile', true]]);
    expect(spec.features!.training).toEqual({
      labels: 'churn-labels', columns: ['churned'], category: 'segment',
      join: [
        { group: 'customer-profile', key: 'customer_id', recordIdentifier: 'customer_id', eventTime: 'event_time', features: ['spend_30d', 'visits_7d'] },
        { group: 'store-stats', key: 'customer_id', recordIdentifier: 'customer_id', eventTime: 'event_time', features: ['footfall'] },
      ],
    });
  });

  test('no features block: nothing resolved', () => {
    expect(specWith({}).features).toBeUndefined();
  });

  test.each([
    ['an identifier that is not declared', { groups: [group({ recordIdentifier: 'user_id' })] }, 'features.groups[0].recordIdentifier', '"user_id"', /one of the group's definitions \(customer_id, event_time, spend\).*add \{name: user_id, type: String\}/],
    ['a Fractional event time', { groups: [group({ definitions: [{ name: 'customer_id', type: 'String' }, { name: 'event_time', type: 'Fractional' }] })] }, 'features.groups[0].eventTime', '"event_time"', /a String feature.*change its type to String/],
    ['a Fractional identifier', { groups: [group({ definitions: [{ name: 'customer_id', type: 'Fractional' }, { name: 'event_time', type: 'String' }] })] }, 'features.groups[0].recordIdentifier', '"customer_id"', /Integral or String.*change its type/],
    ['a reserved feature name', { groups: [group({ definitions: [{ name: 'customer_id', type: 'String' }, { name: 'event_time', type: 'String' }, { name: 'write_time', type: 'String' }] })] }, 'features.groups[0].definitions[2].name', '"write_time"', /other than write_time.*rename the feature/],
    ['an unknown type', { groups: [group({ definitions: [{ name: 'customer_id', type: 'Text' }, { name: 'event_time', type: 'String' }] })] }, 'features.groups[0].definitions[0].type', '"Text"', /Integral|Fractional|String/],
    ['an uppercase feature name', { groups: [group({ recordIdentifier: 'CustomerId' })] }, 'features.groups[0].recordIdentifier', '"CustomerId"', /lowercase letters/],
    ['labels that are not declared here', { groups: [group()], training: { labels: 'labels' } }, 'features.training.labels', '"labels"', /one of this spec's groups \(profile\).*declare the labels group/],
    ['another model\'s group without features', { groups: [group()], training: { labels: 'profile', join: [{ group: 'other' }] } }, 'features.training.join[0].features', '[]', /features to take from other.*list them/],
    ['a joined feature the group lacks', { groups: [group(), group({ name: 'labels' })], training: { labels: 'labels', columns: ['spend'], join: [{ group: 'profile', features: ['visits'] }] } }, 'features.training.join[0].features[0]', '"visits"', /a feature of profile/],
    ['a column name twice in the training set', { groups: [group(), group({ name: 'labels' })], training: { labels: 'labels', join: [{ group: 'profile' }] } }, 'features.training', '"spend"', /distinct column names.*leave spend out/],
  ])('refuses %s, naming the field, the value and the fix', (_, features, path, value, message) => {
    const found = problems(features);
    const p = found.find((x) => x.path === path);
    expect(p).toBeDefined();
    expect(JSON.stringify(p!.value)).toBe(value);
    expect(`${p!.expected}. Fix: ${p!.fix}`).toMatch(message);
  });
});
