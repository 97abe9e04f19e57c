import { PARAMETERS } from '../../lambda/shared/contract';

/**
 * SSM parameter names through which model stacks import the platform stack's resources (read
 * at deploy time, so a model stack never holds a CloudFormation export of the platform stack
 * and never blocks its updates). The names the CLI reads are in `PARAMETERS`.
 */
export const PLATFORM_PARAMETERS = {
  ...PARAMETERS,
  dataLakeKeyArn: (platform: string) => `/cdk-mlops/${platform}/platform/data-key-arn`,
  registryKeyArn: (platform: string) => `/cdk-mlops/${platform}/platform/registry-key-arn`,
  predictionsKeyArn: (platform: string) => `/cdk-mlops/${platform}/platform/predictions-key-arn`,
  alarmTopicArn: (platform: string) => `/cdk-mlops/${platform}/platform/alarm-topic-arn`,
  vpcId: (platform: string) => `/cdk-mlops/${platform}/platform/vpc-id`,
  vpcCidr: (platform: string) => `/cdk-mlops/${platform}/platform/vpc-cidr`,
  isolatedSubnet: (platform: string, i: number) => `/cdk-mlops/${platform}/platform/isolated-subnet-${i}`,
  /** Service name of a model's PrivateLink endpoint service (access mode private-link): what a client account connects its interface endpoint to. */
  endpointService: (platform: string, model: string) => `/cdk-mlops/${platform}/models/${model}/endpoint-service`,
  publicSubnet: (platform: string, i: number) => `/cdk-mlops/${platform}/platform/public-subnet-${i}`,
} as const;
