import { createHash } from 'node:crypto';
import { EndpointSettings } from './settings';

const MAX_NAME = 63;

/**
 * Name of a version's SageMaker model and endpoint config: `<model>-v<version>-<hash>`, where
 * the hash covers the artifact and every setting. A replayed event derives the same name (and
 * finds it created); a changed setting (instance type, image) derives a new one.
 */
export function versionResourceName(settings: EndpointSettings, version: number, artifactUri: string): string {
  const hash = createHash('sha256').update(JSON.stringify({ artifactUri, ...settings, shift: undefined, rollbackAlarms: undefined })).digest('hex').slice(0, 8);
  const suffix = `-v${version}-${hash}`;
  return `${settings.model.slice(0, MAX_NAME - suffix.length).replace(/-+$/, '')}${suffix}`;
}


/** An IAM resource-name pattern covering every name `versionResourceName` derives for a model (and only a model sharing its first 40 characters). */
export function versionResourcePattern(model: string): string {
  // The name keeps at least 42 characters of the model (63 minus the longest suffix, -v<10 digits>-<8>).
  return model.length <= 40 ? `${model}-v*` : `${model.slice(0, 40)}*`;
}
