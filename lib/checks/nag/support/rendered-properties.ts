import { CfnResource, Stack } from 'aws-cdk-lib';

/**
 * The resource's Properties as they land in the template, tokens resolved to CloudFormation
 * intrinsics. Rendered rather than read from the L1's typed props so that escape hatches
 * (`addPropertyOverride`) are checked too: they are where a hardened setting is often added.
 */
export function renderedProperties(node: CfnResource): Record<string, unknown> {
  // _toCloudFormation is what the stack itself renders at synth (the L1's props plus overrides).
  const rendered = Stack.of(node).resolve((node as unknown as { _toCloudFormation(): object })._toCloudFormation()) as { Resources: Record<string, { Properties?: Record<string, unknown> }> };
  return Object.values(rendered.Resources)[0]?.Properties ?? {};
}
