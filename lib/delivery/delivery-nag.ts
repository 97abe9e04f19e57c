// The findings CDK Pipelines' generated roles raise, acknowledged on the pipeline only (never on
// a stage, whose platform keeps its own acknowledgements), each with the reason a reviewer reads.
import { CfnElement, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { IConstruct } from 'constructs';
import { GuardFindings, acknowledgeGuard } from '../common/guard';
import { NagAcknowledgement, acknowledgeNag, nagArn } from '../common/nag';

const iam5 = (what: string, reason: string): NagAcknowledgement => ({ id: `AwsSolutions-IAM5[${what}]`, reason });

/** Acknowledges CDK Pipelines' grants on `pipeline`, given its artifact bucket, and its Docker builds' privileged mode. */
export function acknowledgePipelineFindings(pipeline: IConstruct, artifactBucket: IConstruct): void {
  for (const project of pipeline.node.findAll().filter((c): c is codebuild.CfnProject => c instanceof codebuild.CfnProject)) {
    const environment = Stack.of(project).resolve(project.environment) as codebuild.CfnProject.EnvironmentProperty;
    if (environment.privilegedMode) acknowledgeGuard(project, GuardFindings.dockerBuildPrivileged());
  }
  const artifacts = 'CDK Pipelines\' grant on this pipeline\'s own artifact bucket (read and write the source, image-digest and cloud-assembly artifacts); that one bucket only.';
  acknowledgeNag(pipeline,
    ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((a) => iam5(`Action::${a}`, artifacts)),
    iam5(`Resource::${nagArn(artifactBucket)}/*`, artifacts),
    ...['kms:ReEncrypt*', 'kms:GenerateDataKey*'].map((a) => iam5(`Action::${a}`, 'Encrypting artifacts with the pipeline\'s artifact key needs data keys; the grant names that one key.')),
    iam5('Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/*',
      'Asset-publishing CodeBuild projects write their build logs to /aws/codebuild/<project>, named when CDK Pipelines creates the projects; log writes only, this account and region.'),
    iam5('Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/*',
      'CodeBuild test reports of the asset-publishing projects (report groups named per project); report writes only.'),
    iam5('Resource::arn:*:iam::<AWS::AccountId>:role/*',
      'Self-mutation assumes only the CDK bootstrap roles of this account (condition on the aws-cdk:bootstrap-role tag: deploy, file and image publishing).'),
    iam5('Resource::*',
      'Only actions without resource-level permissions, or on resources named at run time: ecr:GetAuthorizationToken (image build), cloudformation:DescribeStacks and s3:ListBucket '
      + '(self-mutation reads stack state), and CodeBuild build status of the asset-publishing actions, as CDK Pipelines generates them.'),
    { id: 'Mlops-IamNoDataActionOnAnyResource[s3:ListBucket]', reason: 'CDK Pipelines\' self-mutation step (cdk deploy of the pipeline stack) lists the CDK bootstrap asset bucket, whose name it learns at run time; key listing only, no object read or write.' },
  );
}

/** Acknowledges the per-project CodeBuild log and report-group grants of one step's project. */
export function acknowledgeProjectFindings(project: IConstruct): void {
  const cfn = (project.node.defaultChild ?? project) as CfnElement;
  const name = `<${Stack.of(cfn).getLogicalId(cfn)}>`;
  acknowledgeNag(project,
    iam5(`Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/${name}:*`,
      'CodeBuild writes this one project\'s build logs, one stream per build, named at run time.'),
    iam5(`Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/${name}-*`,
      'CodeBuild test reports of this one project, report groups named per build.'));
}
