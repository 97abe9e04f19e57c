// The spec's `features` block (issue 14 §2): feature groups this model's stack creates, and a
// training channel built from the offline store with point-in-time correct joins. Declared with
// the field toolkit (JSON Schema and validation); names that refer to each other are resolved in
// resolveFeatures.
import { Field, bool, choice, list, obj, text } from './fields';
import { FeatureDefinitionSpec, FeatureGroupSpec, FeatureJoinSpec, FeatureType, FeaturesSpec } from './model-spec';
import { OFFLINE_STORE_COLUMNS } from '../feature-store/as-of-query';

/** Feature group names: lowercase, as the Glue table of the offline store is named after them. */
export const FEATURE_GROUP_NAME_PATTERN = '^[a-z0-9](-?[a-z0-9]){0,62}$';
/** Feature names: lowercase (Athena lowercases column names), so the training set keeps them. */
export const FEATURE_NAME_PATTERN = '^[a-z][a-z0-9_]{0,63}$';
const RESERVED = Object.values(OFFLINE_STORE_COLUMNS) as string[];

// Examples only where a value stands alone: the schema's examples are loaded one by one (test/docs/examples-agree).
const groupName = (description: string, examples?: string[]) => text({
  description, required: true, pattern: FEATURE_GROUP_NAME_PATTERN, examples,
  expected: 'a feature group name of up to 64 lowercase letters, digits and single hyphens', fix: 'write e.g. "customer-profile"',
});
const featureName = (description: string, required = true) => text({
  description, required, pattern: FEATURE_NAME_PATTERN,
  expected: 'a feature name of up to 64 lowercase letters, digits and "_", starting with a letter', fix: 'write e.g. "customer_id"',
});

const definitionField: Field<FeatureDefinitionSpec> = obj<FeatureDefinitionSpec>({
  name: featureName('Feature name (a column of the offline store).'),
  type: choice(Object.values(FeatureType), { description: 'Integral, Fractional or String.', required: true }),
}, { description: 'One feature.', required: true });

const groupField: Field<FeatureGroupSpec> = obj<FeatureGroupSpec>({
  name: groupName('Feature group name, unique in the account and region; other models join it by this name.', ['customer-profile']),
  description: text({ description: 'What the group holds, for people.', maxLength: 128 }),
  recordIdentifier: featureName('The feature identifying a record, e.g. customer_id (Integral or String).'),
  eventTime: featureName('The String feature with each record\'s ISO-8601 event time ("2026-01-01T00:00:00Z"); joins are as of it.'),
  online: bool({ description: 'Also keep the latest record per identifier in the online store (low-latency GetRecord; billed per read and write, and storage). Encrypted with the data lake key.', default: false }),
  definitions: list(definitionField, { description: 'The features, including the record identifier and the event time.', minItems: 2, maxItems: 500, uniqueBy: (d) => d.name }),
}, { description: 'A SageMaker Feature Store feature group created in this model\'s stack: offline store in the datasets bucket (Iceberg, KMS), online store optional.', required: true });

/** A join as written; names not written come from the group's declaration (or the labels). */
export interface ParsedFeatureJoin {
  readonly group: string;
  readonly key?: string;
  readonly recordIdentifier?: string;
  readonly eventTime?: string;
  readonly features: string[];
}

const joinField: Field<ParsedFeatureJoin> = obj<ParsedFeatureJoin>({
  group: groupName('The feature group joined: one of this spec\'s groups or a group declared in another model\'s spec.'),
  key: featureName('The labels feature matched against the group\'s record identifier. Default: the labels\' record identifier.', false),
  recordIdentifier: featureName('The group\'s record identifier. Default: from its declaration here, else the key.', false),
  eventTime: featureName('The group\'s event time feature. Default: from its declaration here, else "event_time".', false),
  features: list(featureName('A feature of the group.'), { description: 'Features taken into the training set. Default (a group declared here): all but the identifier and event time; required for another model\'s group.', default: [], maxItems: 500, uniqueBy: (f) => f }),
}, { description: 'A feature group joined as of each training row\'s event time.', required: true });

/** The training block as written. */
export interface ParsedFeatureTraining {
  readonly labels: string;
  readonly columns: string[];
  readonly category?: string;
  readonly join: ParsedFeatureJoin[];
}

const trainingField: Field<ParsedFeatureTraining | undefined> = {
  ...obj<ParsedFeatureTraining>({
    labels: groupName('The group (declared in this spec) whose records are the training rows: identifier, event time, label.'),
    columns: list(featureName('A labels feature.'), { description: 'Labels features in the training set, after the identifier and the event time. Default: all but the identifier, event time and category.', default: [], uniqueBy: (f) => f }),
    category: featureName('A labels feature holding the category: each category\'s run trains on its rows only. Default: every run gets all rows.', false),
    join: list(joinField, { description: 'Feature groups joined as of each row\'s event time (latest record at or before it; a deleted record gives empty features).', default: [], maxItems: 10, uniqueBy: (j) => j.group }),
  }, { description: 'Build the training channel from the offline store before each run (an Athena UNLOAD of a point-in-time join, JSON lines) instead of reading data.location. Default: none.' }),
  default: undefined,
};

/** The features block as written. */
export interface ParsedFeatures {
  readonly groups: FeatureGroupSpec[];
  readonly training?: ParsedFeatureTraining;
}

export const featuresField: Field<ParsedFeatures | undefined> = {
  ...obj<ParsedFeatures>({
    groups: list(groupField, { description: 'Feature groups created in this model\'s stack.', default: [], maxItems: 5, uniqueBy: (g) => g.name }),
    training: trainingField,
  }, { description: 'SageMaker Feature Store, for models that share features: feature groups, and a training channel joined from them point-in-time correct. Default: none (nothing is created).' }),
  default: undefined,
};

type Problem = (path: string, value: unknown, expected: string, fix: string) => void;

/** Cross-references of the block: identifiers, event times and joined names exist; returns the resolved block. */
export function resolveFeatures(f: ParsedFeatures, problem: Problem): FeaturesSpec {
  const own = new Map(f.groups.map((g) => [g.name, g]));
  f.groups.forEach((g, i) => {
    const at = `features.groups[${i}]`;
    const names = g.definitions.map((d) => d.name);
    const declared = `one of the group's definitions (${names.join(', ')})`;
    const type = (n: string) => g.definitions.find((d) => d.name === n)?.type;
    if (!names.includes(g.recordIdentifier)) problem(`${at}.recordIdentifier`, g.recordIdentifier, declared, `add {name: ${g.recordIdentifier}, type: String} to definitions`);
    else if (type(g.recordIdentifier) === FeatureType.FRACTIONAL) problem(`${at}.recordIdentifier`, g.recordIdentifier, 'an Integral or String feature (Feature Store refuses a Fractional identifier)', 'change its type to String or Integral');
    if (!names.includes(g.eventTime)) problem(`${at}.eventTime`, g.eventTime, declared, `add {name: ${g.eventTime}, type: String} to definitions`);
    else if (type(g.eventTime) !== FeatureType.STRING) problem(`${at}.eventTime`, g.eventTime, 'a String feature (ISO-8601 times, compared as timestamps by the training query)', 'change its type to String and write times as "2026-01-01T00:00:00Z"');
    g.definitions.forEach((d, k) => {
      if (RESERVED.includes(d.name)) problem(`${at}.definitions[${k}].name`, d.name, `a name other than ${RESERVED.join(', ')} (offline-store columns)`, 'rename the feature');
    });
  });
  if (!f.training) return { groups: f.groups };
  const t = f.training;
  const labels = own.get(t.labels);
  if (!labels) {
    problem('features.training.labels', t.labels, `one of this spec's groups (${[...own.keys()].join(', ') || 'none declared'})`, 'declare the labels group under features.groups, or name one of them');
    return { groups: f.groups };
  }
  const labelNames = labels.definitions.map((d) => d.name);
  const inLabels = (path: string, v: string) => {
    if (!labelNames.includes(v)) problem(path, v, `a feature of the labels group ${labels.name} (${labelNames.join(', ')})`, `declare ${v} in ${labels.name}'s definitions, or name one of them`);
  };
  if (t.category !== undefined) inLabels('features.training.category', t.category);
  t.columns.forEach((c, i) => inLabels(`features.training.columns[${i}]`, c));
  const columns = t.columns.length ? t.columns : labelNames.filter((n) => ![labels.recordIdentifier, labels.eventTime, t.category].includes(n));
  const join: FeatureJoinSpec[] = t.join.map((j, i) => {
    const at = `features.training.join[${i}]`;
    const key = j.key ?? labels.recordIdentifier;
    if (j.key !== undefined) inLabels(`${at}.key`, j.key);
    const g = own.get(j.group);
    if (g) {
      for (const [field, v, declared] of [['recordIdentifier', j.recordIdentifier, g.recordIdentifier], ['eventTime', j.eventTime, g.eventTime]] as const) {
        if (v !== undefined && v !== declared) problem(`${at}.${field}`, v, `${declared} (as ${g.name} declares it)`, `remove ${field}, it comes from the group`);
      }
      const names = g.definitions.map((d) => d.name);
      j.features.forEach((n, k) => {
        if (!names.includes(n)) problem(`${at}.features[${k}]`, n, `a feature of ${g.name} (${names.join(', ')})`, 'name one of its definitions');
      });
      const features = j.features.length ? j.features : names.filter((n) => n !== g.recordIdentifier && n !== g.eventTime);
      return { group: j.group, key, recordIdentifier: g.recordIdentifier, eventTime: g.eventTime, features };
    }
    if (j.features.length === 0) problem(`${at}.features`, [], `the features to take from ${j.group} (declared in another model's spec, so they are not known here)`, `list them, e.g. features: [${key === 'customer_id' ? 'spend_30d' : 'feature_a'}]`);
    return { group: j.group, key, recordIdentifier: j.recordIdentifier ?? key, eventTime: j.eventTime ?? 'event_time', features: j.features };
  });
  const out = [labels.recordIdentifier, labels.eventTime, ...columns, ...join.flatMap((j) => j.features)];
  const dup = out.find((c, i) => out.indexOf(c) !== i);
  if (dup !== undefined) problem('features.training', dup, 'distinct column names in the training set (labels columns and joined features)', `leave ${dup} out of columns or of one join's features`);
  return { groups: f.groups, training: { labels: t.labels, columns, ...(t.category !== undefined ? { category: t.category } : {}), join } };
}
