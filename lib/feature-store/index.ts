// Constructs and their props; the SQL and ARN helpers stay internal (jsii: no free functions).
export { MlopsFeatureGroup } from './feature-group';
export type { FeatureDefinition, MlopsFeatureGroupProps } from './feature-group';
export { FeatureQuery } from './feature-query';
export type { FeatureQueryProps } from './feature-query';
