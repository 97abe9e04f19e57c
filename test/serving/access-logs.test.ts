// Issue 20 point 5: the ALB access-log bucket policy works in every region, those launched after
// August 2022 included (no regional ELB account there: the log-delivery service principal is
// granted). Env-specific stacks are checked per region; the env-agnostic template is evaluated
// per region the way CloudFormation would (conditions on AWS::Region), so a lookup that fails in
// a region it does not list fails here too.
import { App, Stack } from 'aws-cdk-lib';
import { ModelRegistry } from '../../lib/model-registry';
import { PredictionService } from '../../lib/prediction-service';
import { ELB_LOG_DELIVERY_SERVICE, elbLogAccounts } from '../../lib/prediction-service/access-logs';
import { PredictionStore } from '../../lib/prediction-store';
import { testApp } from '../support/cdk';

const NEW_REGIONS = ['eu-central-2', 'eu-south-2', 'ap-south-2', 'ap-southeast-4', 'ap-southeast-5', 'il-central-1', 'me-central-1', 'ca-west-1', 'mx-central-1'];
const LEGACY = Object.fromEntries(elbLogAccounts());

// One app, one synth: a stack per region checked, and one env-agnostic stack.
const app = testApp();
function serviceStack(id: string, region?: string): Stack {
  const stack = new Stack(app, id, region ? { env: { account: '123456789012', region } } : {});
  new PredictionService(stack, 'Service', {
    registry: new ModelRegistry(stack, 'Registry'), predictionStore: new PredictionStore(stack, 'Predictions'), models: [{ model: 'demand-forecast' }],
  });
  return stack;
}
const stacks = Object.fromEntries([...NEW_REGIONS, 'us-east-1', 'eu-west-1', 'ap-southeast-2'].map((r) => [r, serviceStack(`S-${r}`, r)]));
const agnosticStack = serviceStack('Agnostic');
let assembly: ReturnType<App['synth']> | undefined;
const serviceTemplate = (region?: string): Record<string, any> => {
  assembly ??= app.synth();
  return assembly.getStackByName((region ? stacks[region] : agnosticStack).stackName).template;
};

/** The principals allowed to put access logs, as the bucket policy resolves in `region`. */
function logWriters(template: Record<string, any>, region: string): unknown[] {
  const NO_VALUE = Symbol('NoValue');
  const conditions: Record<string, unknown> = template.Conditions ?? {};
  const condition = (name: string): boolean => {
    if (!(name in conditions)) throw new Error(`condition ${name} is not in the template`);
    return Boolean(resolve(conditions[name]));
  };
  function resolve(node: any): any {
    if (Array.isArray(node)) return node.map(resolve).filter((v) => v !== NO_VALUE);
    if (node === null || typeof node !== 'object') return node;
    const [key] = Object.keys(node);
    const arg = node[key];
    switch (key) {
      case 'Ref': return { 'AWS::Region': region, 'AWS::Partition': 'aws', 'AWS::AccountId': '123456789012', 'AWS::NoValue': NO_VALUE }[arg as string] ?? `<${arg}>`;
      case 'Fn::If': return condition(arg[0]) ? resolve(arg[1]) : resolve(arg[2]);
      case 'Fn::Equals': return resolve(arg[0]) === resolve(arg[1]);
      case 'Fn::Or': return arg.some((c: unknown) => resolve(c));
      case 'Condition': return condition(arg);
      case 'Fn::Join': return resolve(arg[1]).join(arg[0]);
      case 'Fn::FindInMap': {
        const value = template.Mappings?.[arg[0]]?.[resolve(arg[1])]?.[resolve(arg[2])];
        if (value === undefined) throw new Error(`Template error: Unable to get mapping for ${arg[0]}::${resolve(arg[1])}::${resolve(arg[2])}`);
        return value;
      }
      case 'Fn::GetAtt': return `<${arg.join('.')}>`;
      default: return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v)]).filter(([, v]) => v !== NO_VALUE));
    }
  }
  const policies = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::S3::BucketPolicy');
  const statements = policies.flatMap((p) => resolve(p.Properties.PolicyDocument).Statement);
  return statements
    .filter((s: any) => [s.Action].flat().includes('s3:PutObject') && s.Effect === 'Allow' && JSON.stringify(s.Resource).includes('prediction-service/AWSLogs'))
    .map((s: any) => s.Principal);
}

describe('ALB access logs: who may write them, per region', () => {
  test.each(NEW_REGIONS)('%s (env-specific): the log-delivery service principal', (region) => {
    expect(logWriters(serviceTemplate(region), region)).toContainEqual({ Service: ELB_LOG_DELIVERY_SERVICE });
  });

  test.each(['us-east-1', 'eu-west-1', 'ap-southeast-2'])('%s (env-specific): the regional ELB account', (region) => {
    expect(logWriters(serviceTemplate(region), region)).toContainEqual({ AWS: expect.stringContaining(`:${LEGACY[region]}:root`) });
  });

  const agnostic = serviceTemplate();
  test.each(NEW_REGIONS)('%s (env-agnostic template): the log-delivery service principal, no account lookup', (region) => {
    expect(logWriters(agnostic, region)).toEqual([{ Service: ELB_LOG_DELIVERY_SERVICE }]);
  });

  test.each(Object.keys(LEGACY))('%s (env-agnostic template): its own ELB account only', (region) => {
    expect(logWriters(agnostic, region)).toEqual([{ AWS: [`arn:aws:iam::${LEGACY[region]}:root`] }]);
  });

  test('a region this library has never heard of gets the service principal (the default for new regions)', () => {
    expect(logWriters(agnostic, 'xx-future-1')).toEqual([{ Service: ELB_LOG_DELIVERY_SERVICE }]);
  });
});
