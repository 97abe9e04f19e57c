// The containers of an AWS::Batch::JobDefinition, with the three settings the Batch rules judge,
// from every place a job definition declares containers: ContainerProperties (single-node),
// NodeProperties' node ranges (multi-node), EcsProperties' task containers and EksProperties'
// pod containers (securityContext).
import { CfnResource } from 'aws-cdk-lib';
import { renderedProperties } from './rendered-properties';
import { at, field, isOn, isPresent, isUnknown, knownNumber, list } from './values';

/** A container's settings; a value unknown at synth counts as the hardened one. */
export interface BatchContainer {
  readonly privileged: boolean;
  readonly readOnlyRootFilesystem: boolean;
  /** Runs as a user other than root (a User that is neither `root` nor uid 0). */
  readonly nonRootUser: boolean;
}

/** The containers of a job definition (none for other resources). */
export function batchContainers(node: CfnResource): BatchContainer[] {
  if (node.cfnResourceType !== 'AWS::Batch::JobDefinition') return [];
  const p = renderedProperties(node);
  const ecsStyle = [
    ...(p.ContainerProperties !== undefined ? [p.ContainerProperties] : []),
    ...list(at(p, 'NodeProperties', 'NodeRangeProperties')).map((r) => field(r, 'Container')).filter(isPresent),
    ...list(at(p, 'EcsProperties', 'TaskProperties')).flatMap((t) => list(field(t, 'Containers'))),
  ].map(ecsContainer);
  const pod = at(p, 'EksProperties', 'PodProperties');
  const eksStyle = [...list(field(pod, 'Containers')), ...list(field(pod, 'InitContainers'))].map((c) => eksContainer(field(c, 'SecurityContext')));
  return [...ecsStyle, ...eksStyle];
}

function ecsContainer(c: unknown): BatchContainer {
  const user = field(c, 'User');
  return {
    privileged: isTrue(field(c, 'Privileged')),
    readOnlyRootFilesystem: isOn(field(c, 'ReadonlyRootFilesystem')),
    nonRootUser: isUnknown(user) || (typeof user === 'string' && user !== '' && !/^(root|0)(:.*)?$/.test(user.trim())),
  };
}

function eksContainer(securityContext: unknown): BatchContainer {
  const uid = knownNumber(field(securityContext, 'RunAsUser'));
  return {
    privileged: isTrue(field(securityContext, 'Privileged')),
    readOnlyRootFilesystem: isOn(field(securityContext, 'ReadOnlyRootFilesystem')),
    nonRootUser: isUnknown(field(securityContext, 'RunAsUser')) || (uid !== undefined && uid > 0) || isOn(field(securityContext, 'RunAsNonRoot')),
  };
}

/** Known to be true (an unknown Privileged is not reported). */
function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}
