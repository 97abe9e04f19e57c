import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { deriveCapacity } from '../../lib/prediction-service/capacity';
import { MlopsPlatformStack } from '../../lib/platform/mlops-platform-stack';
import { loadModelSpec } from '../../lib/spec/load-model-spec';
import { testApp } from '../support/cdk';
import { README, costBlocks, rewriteBlocks, writtenBlocks } from './cost-blocks';
import { PAGE } from './snippets';

const EXAMPLE = join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml');

// The cost section prices what the default stack really creates; these tests fail when the
// stack or the capacity derivation changes, so the page is updated with them.
describe('the cost figures of docs/platform-team.md', () => {
  const page = readFileSync(PAGE, 'utf8');
  const spec = loadModelSpec(EXAMPLE);
  const template = Template.fromStack(new MlopsPlatformStack(testApp(), 'MlopsPlatformStack', { models: [spec] }));
  const resources = Object.values(template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>);
  const count = (type: string) => resources.filter((r) => r.Type === type).length;

  test('state the resource counts of MlopsPlatformStack with the example model', () => {
    const alarms = resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    // Alarms are billed per metric they read: a metric-math alarm pays for each metric in it.
    const alarmMetrics = alarms.reduce((n, a) => n + (a.Properties.Metrics ? a.Properties.Metrics.filter((m: any) => m.MetricStat).length : 1), 0);
    const endpoints = resources.filter((r) => r.Type === 'AWS::EC2::VPCEndpoint');
    const interfaceEndpoints = endpoints.filter((e) => e.Properties.VpcEndpointType === 'Interface').length;
    const line = `Counted in the synthesized \`MlopsPlatformStack\` with the example model: ${count('AWS::KMS::Key')} KMS keys, `
      + `${count('AWS::S3::Bucket')} buckets, ${count('AWS::DynamoDB::Table')} tables, ${count('AWS::Lambda::Function')} Lambda functions, `
      + `${count('AWS::StepFunctions::StateMachine')} state machines, ${count('AWS::Logs::LogGroup')} log groups, `
      + `${interfaceEndpoints} interface + ${endpoints.length - interfaceEndpoints} gateway VPC endpoints, `
      + `${count('AWS::ElasticLoadBalancingV2::LoadBalancer')} ALB, ${alarms.length} metric alarms reading ${alarmMetrics} metrics, `
      + `${count('AWS::CloudWatch::CompositeAlarm')} composite alarm, ${count('AWS::CloudWatch::Dashboard')} dashboard.`;
    expect(page).toContain(line);
  });

  test('state the task counts derived from the declared traffic', () => {
    const tps = spec.inference.tps;
    const c = deriveCapacity({ minTps: tps.min, avgTps: tps.avg, maxTps: tps.max, tpsPerTask: 300 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: c.minTasks, MaxCapacity: c.maxTasks });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '512', Memory: '1024', RuntimePlatform: { CpuArchitecture: 'ARM64' } });
    expect(page).toContain(`(${tps.min} / ${tps.avg} / ${tps.max} TPS, 300 TPS per task): minimum ${c.minTasks}, desired ${c.avgTasks}, peak ${c.peakTasks}, maximum ${c.maxTasks} tasks`);
  });
});

describe('the cost tables of docs/platform-team.md and README.md come from the cost model', () => {
  const blocks = costBlocks();
  if (process.env.UPDATE_COST_DOCS === '1') for (const file of [PAGE, README]) rewriteBlocks(file, blocks);

  test.each([
    ['docs/platform-team.md', PAGE, ['reference-bill', 'reference-months', 'front-ends', 'break-even']],
    ['README.md', README, ['readme-reference', 'readme-six-models']],
  ])('%s holds the model\'s figures (UPDATE_COST_DOCS=1 rewrites them)', (_name, file, names) => {
    const written = writtenBlocks(file);
    expect(Object.keys(written).sort()).toEqual([...names].sort());
    for (const name of names) expect(`${name}:\n${written[name]}`).toBe(`${name}:\n${blocks[name]}`);
  });
});
