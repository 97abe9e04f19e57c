// Issue 20 point 1: a client reaches a model's prediction endpoint in each documented mode. The
// README's recipe for each mode (the spec block and the client's commands) is read from the
// page, the example model is synthesized with that spec block in MlopsPlatformStacks, and the
// model stack must hold what the client path needs: the load balancer's scheme and subnets, its
// security group, the listener, and the SSM parameters the client commands read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { testApp } from '../support/cdk';

const README = join(__dirname, '..', '..', 'README.md');
const EXAMPLE = join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml');
const page = readFileSync(README, 'utf8');

/** The fenced block of `lang` after `<!-- <marker> -->` on the README. */
function block(marker: string, lang: string): string {
  const at = page.indexOf(`<!-- ${marker} -->`);
  if (at < 0) throw new Error(`README.md has no "<!-- ${marker} -->" marker`);
  const found = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(page.slice(at));
  if (!found) throw new Error(`README.md: no \`\`\`${lang} block after "<!-- ${marker} -->"`);
  return found[1];
}

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

/** The example model's stack, with the README's spec block for `mode` merged into its inference. */
function modelStack(mode: string): { resources: Resources; parameters: Record<string, { Default?: string }>; spec: ReturnType<typeof parseModelSpecObject>['spec'] } {
  const raw = parse(readFileSync(EXAMPLE, 'utf8'));
  const recipe = parse(block(`access-recipe: ${mode}`, 'yaml'));
  // The example under its name, with an image URI (no Docker asset to stage).
  const training = { ...raw.training, image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand-forecast:1' };
  const { spec, problems } = parseModelSpecObject({ name: 'demand-forecast', ...raw, training, inference: { ...raw.inference, ...recipe.inference } }, { file: EXAMPLE });
  if (!spec) throw new Error(`the README's ${mode} recipe is not a valid spec: ${JSON.stringify(problems)}`);
  const app = testApp();
  new MlopsPlatformStacks(app, { models: [spec] });
  const template = app.synth().getStackByName(`MlopsPlatformStack-${spec.name}`).template;
  return { resources: template.Resources, parameters: template.Parameters, spec };
}

const ofType = (resources: Resources, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** Every ingress rule of the security group `id` (inline or separate), as [port, source]. */
function ingress(resources: Resources, id: string): Array<[number, unknown]> {
  const inline = (resources[id].Properties.SecurityGroupIngress ?? []) as any[];
  const separate = ofType(resources, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties)
    .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify({ 'Fn::GetAtt': [id, 'GroupId'] }));
  return [...inline, ...separate].map((r) => [r.FromPort, r.CidrIp ?? r.SourcePrefixListId ?? r.SourceSecurityGroupId]);
}

function loadBalancers(resources: Resources): Array<Record<string, any>> {
  return ofType(resources, 'AWS::ElasticLoadBalancingV2::LoadBalancer').map(([id, r]) => ({ id, type: r.Properties.Type ?? 'application', ...r.Properties }));
}

function albSecurityGroup(resources: Resources): string {
  const [alb] = loadBalancers(resources).filter((lb) => lb.type === 'application');
  return alb.SecurityGroups[0]['Fn::GetAtt'][0];
}

/** The value of the model stack's SSM parameter named `name` (a Ref resolved to its parameter's SSM name). */
function parameterNamed(resources: Resources, name: string) {
  return ofType(resources, 'AWS::SSM::Parameter').find(([, r]) => r.Properties.Name === name);
}

/** The client's commands: every SSM parameter they read exists, and the URL path is the documented route. */
function checkClient(mode: string, resources: Resources, model: string): void {
  const commands = block(`access-client: ${mode}`, 'sh');
  const names = [...commands.matchAll(/--name (\S+)/g)].map((m) => m[1]);
  expect(names.length).toBeGreaterThan(0);
  for (const name of names) expect([name, parameterNamed(resources, name) !== undefined]).toEqual([name, true]);
  const paths = [...commands.matchAll(/curl [^"]*"[^"]*?(\/v1\/models\/[^"?]+)/g)].map((m) => m[1]);
  expect(paths).toEqual([`/v1/models/${model}/predictions/store-42`]);
  // The route the server answers, as the Serving section documents it.
  expect(page).toContain('GET  /v1/models/{model}/predictions/{entityId}?category={category}');
}

describe('the README recipes: a client reaches the endpoint in each documented mode', () => {
  test('vpc: internal ALB in the isolated subnets; port 80 from the VPC CIDR, the client CIDR and the prefix list only', () => {
    const { resources, parameters, spec } = modelStack('vpc');
    const [alb, ...others] = loadBalancers(resources);
    expect(others).toEqual([]);
    expect(alb.Scheme).toBe('internal');
    const subnetParams = alb.Subnets.map((s: { Ref: string }) => parameters[s.Ref].Default);
    expect(subnetParams).toEqual(['/cdk-mlops/default/platform/isolated-subnet-0', '/cdk-mlops/default/platform/isolated-subnet-1']);
    const rules = ingress(resources, albSecurityGroup(resources));
    const cidrParam = Object.entries(parameters).find(([, p]) => p.Default === '/cdk-mlops/default/platform/vpc-cidr')![0];
    expect(rules).toEqual(expect.arrayContaining([[80, { Ref: cidrParam }], [80, '10.20.0.0/16'], [80, 'pl-0123456789abcdef0']]));
    expect(rules).toHaveLength(3);
    checkClient('vpc', resources, spec!.name);
  });

  test('private-link: internal ALB behind an internal NLB and an endpoint service for the listed principals; the ALB admits the NLB only', () => {
    const { resources, spec } = modelStack('private-link');
    const lbs = loadBalancers(resources);
    expect(lbs.map((lb) => [lb.type, lb.Scheme]).sort()).toEqual([['application', 'internal'], ['network', 'internal']]);
    const nlb = lbs.find((lb) => lb.type === 'network')!;
    const [[, service]] = ofType(resources, 'AWS::EC2::VPCEndpointService');
    expect(service.Properties).toMatchObject({ NetworkLoadBalancerArns: [{ Ref: nlb.id }], AcceptanceRequired: false });
    const [[, permissions]] = ofType(resources, 'AWS::EC2::VPCEndpointServicePermissions');
    expect(permissions.Properties.AllowedPrincipals).toEqual(['arn:aws:iam::111122223333:root']);
    // The NLB forwards to the ALB listener (an ALB-type target group on the same port).
    const [[, targets]] = ofType(resources, 'AWS::ElasticLoadBalancingV2::TargetGroup').filter(([, r]) => r.Properties.TargetType === 'alb');
    expect(targets.Properties).toMatchObject({ Protocol: 'TCP', Port: 80 });
    const nlbSg = nlb.SecurityGroups[0]['Fn::GetAtt'][0];
    expect(ingress(resources, albSecurityGroup(resources))).toEqual([[80, { 'Fn::GetAtt': [nlbSg, 'GroupId'] }]]);
    // PrivateLink traffic is not filtered by the NLB's group, which admits nothing else.
    expect(ingress(resources, nlbSg)).toEqual([]);
    expect(nlb.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic).toBe('off');
    checkClient('private-link', resources, spec!.name);
  });

  test('internet: internet-facing ALB in the public subnets; HTTPS 443 only, with mutual TLS against the trust store', () => {
    const { resources, parameters, spec } = modelStack('internet');
    const [alb, ...others] = loadBalancers(resources);
    expect(others).toEqual([]);
    expect(alb.Scheme).toBe('internet-facing');
    expect(alb.Subnets.map((s: { Ref: string }) => parameters[s.Ref].Default)).toEqual(['/cdk-mlops/default/platform/public-subnet-0', '/cdk-mlops/default/platform/public-subnet-1']);
    expect(ingress(resources, albSecurityGroup(resources))).toEqual([[443, '0.0.0.0/0']]);
    const listeners = ofType(resources, 'AWS::ElasticLoadBalancingV2::Listener').map(([, r]) => r.Properties);
    expect(listeners).toHaveLength(1);
    const access = spec!.inference.access;
    expect(listeners[0]).toMatchObject({
      Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: access.certificateArn }],
      MutualAuthentication: { Mode: 'verify', TrustStoreArn: access.trustStoreArn },
    });
    checkClient('internet', resources, spec!.name);
  });
});
