// The pack as a platform team runs it: a validation plugin at synth, findings named by rule (and
// by state for tasks inside a state machine), acknowledged with Validations like any cdk-nag pack.
import { Stack, Validations } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { MlopsChecks } from '../../../lib/checks/nag';
import { MLOPS_NAG_RULES } from '../../../lib/checks/nag/rules';
import { testApp } from '../../support/cdk';
import { roleAndKey, sageMakerTask, trainingRequest } from './fixtures';
import { packFindings } from './platform-apps';

/** An app with a training task that has no network isolation and no output key. */
function weakTraining() {
  const app = testApp();
  const stack = new Stack(app, 'Ml');
  const machine = sageMakerTask(stack, 'createTrainingJob', trainingRequest(stack, { EnableNetworkIsolation: undefined, OutputDataConfig: { 'S3OutputPath.$': '$.out' }, VpcConfig: undefined }), 'TrainModel');
  return { app, machine };
}

test('findings name the rule and the state; the pack lists its rule ids', () => {
  expect(packFindings(weakTraining().app)).toEqual([
    'Mlops-SageMakerNetworkIsolation[TrainModel] Ml/TrainModelMachine/Resource',
    'Mlops-SageMakerOutputKms[TrainModel] Ml/TrainModelMachine/Resource',
  ]);
  const pack = new MlopsChecks();
  expect([pack.name, pack.readPackName]).toEqual(['Mlops', 'Mlops']);
  expect(pack.ruleIds).toEqual(MLOPS_NAG_RULES.map((r) => `Mlops-${r.id}`));
});

test('an acknowledgement with the full finding id silences that finding only', () => {
  const { app, machine } = weakTraining();
  Validations.of(machine).acknowledge({ id: 'Mlops-SageMakerOutputKms[TrainModel]', reason: 'the bucket default key is the platform key' });
  expect(packFindings(app)).toEqual(['Mlops-SageMakerNetworkIsolation[TrainModel] Ml/TrainModelMachine/Resource']);
});

test('a state machine whose definition is not in the template is reported, not passed', () => {
  const app = testApp();
  const stack = new Stack(app, 'Ml');
  new sfn.CfnStateMachine(stack, 'FromS3', { roleArn: roleAndKey(stack).roleArn, definitionS3Location: { bucket: 'b', key: 'machine.json' } });
  expect(packFindings(app)).toEqual(['SageMakerInVpc', 'SageMakerNetworkIsolation', 'SageMakerVolumeKms', 'SageMakerOutputKms', 'SageMakerInterContainerEncryption', 'SageMakerEndpointDataCapture']
    .map((id) => `Mlops-${id} Ml/FromS3`).sort());
});
