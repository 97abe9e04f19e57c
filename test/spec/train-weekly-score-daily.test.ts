// Acceptance of issue 16 §2: a weekly-trained (Mondays), daily-scored spec with manual promotion
// (test/fixtures/weekly-daily) validates with `mlops validate` and synthesizes nag-clean, with
// scoring on its own schedule in its time zone and freshness alarms paced by the scoring.
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { loadModelSpecs } from '../../lib/spec';
import { run } from '../cli/support';
import { nagFindings, testApp } from '../support/cdk';

const FIXTURE = join(__dirname, '..', 'fixtures', 'weekly-daily');

test('mlops validate: no error, no warning', async () => {
  const r = await run(['validate', '--models-dir', FIXTURE], {});
  expect(r).toMatchObject({ code: 0, out: '0 error(s), 0 warning(s), 0 acknowledged in 1 spec(s)' });
});

test('synthesizes nag-clean', () => {
  expect(nagFindings((app) => { new MlopsPlatformStacks(app, { models: loadModelSpecs(FIXTURE) }); })).toEqual([]);
});

describe('the model stack', () => {
  const stacks = new MlopsPlatformStacks(testApp(), { models: loadModelSpecs(FIXTURE) });
  const deployment = stacks.modelStacks[0].deployment;
  const template = Template.fromStack(stacks.modelStacks[0]);

  test('trains Mondays and scores every day at 06:00 Europe/Paris with the served versions', () => {
    const schedules = template.findResources('AWS::Scheduler::Schedule');
    const byExpression = Object.fromEntries(Object.values<any>(schedules).map((r) => [r.Properties.ScheduleExpression, r.Properties]));
    expect(Object.keys(byExpression).sort()).toEqual(['cron(0 3 ? * MON *)', 'cron(0 6 * * ? *)']);
    const scoring = byExpression['cron(0 6 * * ? *)'];
    expect(scoring.ScheduleExpressionTimezone).toBe('Europe/Paris');
    const stack = stacks.modelStacks[0];
    expect(scoring.Target.Arn).toEqual(stack.resolve(deployment.batchInference!.stateMachine.stateMachineArn));
    // The batch inference resolves each category's version itself: the input names no version.
    expect(JSON.parse(scoring.Target.Input)).toEqual({ model: 'churn-risk', executionDate: '<aws.scheduler.scheduled-time>' });
  });

  test('freshness alarms are paced by the daily scoring: a missed batch warns after 36 h, not after a week', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', Match.objectLike({
      AlarmName: Match.stringLikeRegexp('PredictionsStaleWarning-default'), EvaluationPeriods: 36,
    }));
  });
});
