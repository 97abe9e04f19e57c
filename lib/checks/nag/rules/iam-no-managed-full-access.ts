import { NagRuleCompliance } from 'cdk-nag';
import { MlopsNagRule } from '../mlops-nag-rule';
import { managedPolicyArns } from '../support/policy-statements';

/** An AWS-managed policy that grants a whole service or account: `*FullAccess`, AdministratorAccess, PowerUserAccess. */
const FULL_ACCESS = /:iam::aws:policy\/(?:.*\/)?([A-Za-z0-9+=,.@_-]*FullAccess[A-Za-z0-9+=,.@_-]*|AdministratorAccess|PowerUserAccess)$/;

/** No role, user or group carries an AWS-managed full-access policy. */
export const iamNoManagedFullAccess: MlopsNagRule = {
  id: 'IamNoManagedFullAccess',
  info: 'An IAM role, user or group has an AWS-managed *FullAccess (or AdministratorAccess, PowerUserAccess) policy.',
  explanation: 'AmazonSageMakerFullAccess and its kind grant every action of a service on every resource of the account (AmazonSageMakerFullAccess also '
    + 'iam:PassRole to SageMaker and s3 on every bucket named *sagemaker*), and AWS widens them over time. Grant the actions on the resources the role uses '
    + '(the constructs\' grant methods). Findings name the policy: Mlops-IamNoManagedFullAccess[<policy name>].',
  check: (node) => {
    const arns = managedPolicyArns(node);
    if (arns.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    const names = arns.map((a) => FULL_ACCESS.exec(a)?.[1]).filter((n): n is string => n !== undefined);
    return names.length > 0 ? names : NagRuleCompliance.COMPLIANT;
  },
};
