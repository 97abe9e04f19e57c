import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { DataLake, DataLakeProps } from '../../lib/data-lake';
import { testStack } from '../support/cdk';

/** A stack holding one DataLake, its template and the logical ids of what it created. */
export function dataLakeStack(props: DataLakeProps = {}, stack: Stack = testStack()) {
  const dataLake = new DataLake(stack, 'DataLake', props);
  const template = Template.fromStack(stack);
  return { stack, dataLake, template };
}

/** Logical id of an L2 resource's CloudFormation resource. */
export function logicalId(resource: IConstruct): string {
  return Stack.of(resource).getLogicalId(resource.node.defaultChild as CfnElement);
}

/** `{ Fn::GetAtt: [id, 'Arn'] }` of an L2 resource. */
export function arnOf(resource: IConstruct) {
  return { 'Fn::GetAtt': [logicalId(resource), 'Arn'] };
}

/** The Properties of one resource in the template by logical id. */
export function propertiesOf(template: Template, id: string): Record<string, any> {
  const resource = template.toJSON().Resources[id];
  if (!resource) throw new Error(`no resource ${id} in the template`);
  return resource.Properties ?? {};
}
