export * from './data-lake-base';
export * from './data-lake-props';
export * from './data-lake';
export { ARTIFACT_PREFIXES, RUN_STATUS_TAG, ACCESS_LOG_PREFIXES } from './data-lake-layout';
