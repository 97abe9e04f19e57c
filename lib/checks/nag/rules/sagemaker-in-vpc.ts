import { NagRuleCompliance } from 'cdk-nag';
import { MlopsNagRule } from '../mlops-nag-rule';
import { judgeWorkloads } from '../support/sagemaker-rule';
import { vpcAvailable } from '../support/vpc-available';

/** SageMaker jobs and models run in the VPC when the app has one. */
export const sageMakerInVpc: MlopsNagRule = {
  id: 'SageMakerInVpc',
  info: 'A SageMaker job or model runs outside the VPC although the app has one.',
  explanation: 'Outside a VPC, SageMaker containers reach S3 and other services over AWS\'s network, where VPC endpoint policies, '
    + 'security groups and flow logs cannot hold them to the platform\'s buckets. Give the job or model VpcConfig (subnets and security groups of the platform network).',
  check: (node) => {
    const result = judgeWorkloads(node, (w) => w.vpc);
    if (result === NagRuleCompliance.NOT_APPLICABLE || result === NagRuleCompliance.COMPLIANT) return result;
    // Without a VPC in the app there is nothing to place the job in.
    return vpcAvailable(node) ? result : NagRuleCompliance.NOT_APPLICABLE;
  },
};
