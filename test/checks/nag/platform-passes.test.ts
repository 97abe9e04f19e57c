// The platform passes its own pack on the default app, the two-model app (Batch + SageMaker,
// manual promotion, the API front end) and the delivery pipeline app (its three stages).
import { pipelineApp } from '../../delivery/fixtures';
import { defaultApp, packFindings, twoModelApp } from './platform-apps';

test('default app: no MlopsChecks finding', () => {
  expect(packFindings(defaultApp())).toEqual([]);
}, 120_000);

test('two-model app: no MlopsChecks finding', () => {
  expect(packFindings(twoModelApp())).toEqual([]);
}, 120_000);

test('delivery pipeline app: no MlopsChecks finding', () => {
  expect(packFindings(pipelineApp().app)).toEqual([]);
}, 120_000);
