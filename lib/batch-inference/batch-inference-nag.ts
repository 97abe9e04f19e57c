import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { scoringJobPrefix } from '../../lambda/shared/predictions/resolve';
import { nagArn, logicalIdOf } from '../prediction-store/nag-refs';

export interface BatchNagRefs {
  readonly model: string;
  readonly datasetsBucket: IConstruct;
  readonly artifactsBucket: IConstruct;
  readonly predictionsBucket: IConstruct;
  readonly registryTable: IConstruct;
  readonly stateMachine: IConstruct;
  readonly functions: IConstruct[];
  readonly scoringRole: IConstruct;
}

/** Acknowledges the cdk-nag findings a BatchInference carries by design, each with its reason. */
export function acknowledgeBatchFindings(scope: IConstruct, refs: BatchNagRefs): void {
  const ack = (id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
  const m = refs.model;
  ack('AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'The AWS-maintained policy that lets a function write its own logs; it grants nothing else.');
  ack('AwsSolutions-L1', 'The handlers are bundled for and tested on Node.js 22 (MlopsFunction pins it); runtime upgrades are a deliberate change of the whole library.');
  ack('AwsSolutions-IAM5[Resource::*]', 'Only actions without resource-level permissions: X-Ray trace writes (tracing), ecr:GetAuthorizationToken (image pulls are limited to the model\'s repository), and cloudwatch:PutMetricData limited by a condition to the /aws/sagemaker/* namespaces.');
  ack(`AwsSolutions-IAM5[Resource::${nagArn(refs.predictionsBucket)}/${m}/*]`, `Scoring output, part files and loader reads are limited to this model's prefix "${m}/" of the predictions bucket; object names are not known before the run.`);
  ack(`AwsSolutions-IAM5[Resource::${nagArn(refs.datasetsBucket)}/${m}/*]`, `The scoring job reads this model's input data under "${m}/"; object names vary by date and category.`);
  ack(`AwsSolutions-IAM5[Resource::${nagArn(refs.artifactsBucket)}/runs/${m}/*]`, `The scoring job reads the model artifact of the production version, which lives under this model's runs prefix "runs/${m}/".`);
  ack('AwsSolutions-IAM5[Action::kms:ReEncrypt*]', 'Part of the data lake / predictions key grant for writers (encrypt, re-encrypt, generate data keys); limited to those keys.');
  ack('AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', 'Writers of encrypted objects and items need data keys of the data lake / predictions key; limited to those keys.');
  ack(`AwsSolutions-IAM5[Resource::${nagArn(refs.registryTable)}/index/*]`, 'Read-only registry access includes its index (listing versions and runs); the registry grant is defined by ModelRegistry.');
  ack('AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/TrainingJobs*]', 'SageMaker writes job logs to this fixed log group family; stream names are per job.');
  ack(`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:training-job/${scoringJobPrefix(m)}*]`, `Scoring job names are generated per execution and attempt; the state machine may create, describe and stop only this model's scoring jobs (names starting "${scoringJobPrefix(m)}").`);
  for (const fn of refs.functions) {
    ack(`AwsSolutions-IAM5[Resource::${nagArn(fn)}:*]`, 'Step Functions invokes the function\'s versions and aliases (the ARN with a qualifier); the function itself is fixed.');
  }
  const sm = logicalIdOf(refs.stateMachine);
  const execution = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${sm}"}]}]}`;
  ack(`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${execution}:*]`, 'Distributed Map children are executions of this state machine, named at run time.');
  ack(`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${execution}/*:*]`, 'Distributed Map child executions of this state machine, named at run time.');
}
