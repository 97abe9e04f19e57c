// A `features` block shared by the feature store tests: a labels group, a feature group, and a
// training set joining them with a third model's group.
export const FEATURES = {
  groups: [
    {
      name: 'churn-labels', recordIdentifier: 'customer_id', eventTime: 'event_time',
      definitions: [{ name: 'customer_id', type: 'String' }, { name: 'event_time', type: 'String' }, { name: 'churned', type: 'Integral' }, { name: 'segment', type: 'String' }],
    },
    {
      name: 'customer-profile', recordIdentifier: 'customer_id', eventTime: 'event_time', online: true,
      definitions: [{ name: 'customer_id', type: 'String' }, { name: 'event_time', type: 'String' }, { name: 'spend_30d', type: 'Fractional' }, { name: 'visits_7d', type: 'Integral' }],
    },
  ],
  training: {
    labels: 'churn-labels', category: 'segment',
    join: [{ group: 'customer-profile' }, { group: 'store-stats', features: ['footfall'] }],
  },
};
