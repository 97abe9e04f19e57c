// MLOPS-JoinedFeatureGroupMatches: a join of another spec's feature group is compared with that
// group's declaration when both specs are on the platform.
import { Compliance, joinedFeatureGroupMatches } from '../../lib/checks';
import { specWith } from '../spec/fixtures';

const owner = specWith({
  features: {
    groups: [{
      name: 'customer-profile', recordIdentifier: 'customer_id', eventTime: 'updated_at',
      definitions: [{ name: 'customer_id', type: 'String' }, { name: 'updated_at', type: 'String' }, { name: 'spend_30d', type: 'Fractional' }],
    }],
  },
}, 'churn');
const joiner = (join: Record<string, unknown>) => specWith({
  features: {
    groups: [{
      name: 'upsell-labels', recordIdentifier: 'customer_id', eventTime: 'event_time',
      definitions: [{ name: 'customer_id', type: 'String' }, { name: 'event_time', type: 'String' }, { name: 'bought', type: 'Integral' }],
    }],
    training: { labels: 'upsell-labels', join: [{ group: 'customer-profile', ...join }] },
  },
}, 'upsell');

describe('MLOPS-JoinedFeatureGroupMatches', () => {
  test('compliant: the join names the declared features and event time', () => {
    expect(joinedFeatureGroupMatches.check([owner, joiner({ features: ['spend_30d'], eventTime: 'updated_at' })]).get('upsell')?.compliance).toBe(Compliance.COMPLIANT);
  });

  test('not applicable: the joined group is declared by no spec of the platform (another platform\'s), or the spec joins only its own groups', () => {
    const out = joinedFeatureGroupMatches.check([joiner({ features: ['spend_30d'] })]);
    expect(out.get('upsell')?.compliance).toBe(Compliance.NOT_APPLICABLE);
    expect(joinedFeatureGroupMatches.check([owner]).get('churn')?.compliance).toBe(Compliance.NOT_APPLICABLE);
  });

  test('non-compliant: a feature the group does not declare, naming the declaring spec and the fix', () => {
    expect(joinedFeatureGroupMatches.check([owner, joiner({ features: ['spend_90d'], eventTime: 'updated_at' })]).get('upsell')).toEqual({
      compliance: Compliance.NON_COMPLIANT, path: 'features.training.join[0].features[0]',
      detail: '"spend_90d" is not a feature of customer-profile (declared by models/churn/model.yaml), whose features are customer_id, updated_at, spend_30d; name one of them',
    });
  });

  test('non-compliant: the default event time ("event_time") is not the group\'s', () => {
    expect(joinedFeatureGroupMatches.check([owner, joiner({ features: ['spend_30d'] })]).get('upsell')).toMatchObject({
      compliance: Compliance.NON_COMPLIANT, path: 'features.training.join[0].eventTime',
      detail: expect.stringMatching(/"event_time" is not the eventTime of customer-profile \(declared by models\/churn\/model\.yaml\), which is "updated_at"; write eventTime: updated_at in the join/),
    });
  });
});
