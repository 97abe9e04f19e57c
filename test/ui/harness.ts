// The `mlops ui` server over the seeded registry, the example model's spec (threshold 50, TTL 3d)
// and fixed drift values. Drift lives only in CloudWatch metrics, which has no emulator here:
// the drift source is the one stand-in (the CloudWatch source itself is tested in drift.test.ts).
import { join } from 'node:path';
import { ModelRegistryClient } from '../../lambda/shared/registry';
import { loadModelSpec } from '../../lib/spec/load-model-spec';
import { DriftSource, DriftValue } from '../../cli/ui/drift';
import { startUiServer } from '../../cli/ui/server';
import { MODEL, NOW, s3 } from './seed';

export const DRIFT: DriftValue[] = [
  { category: 'books', feature: null, psi: 0.31, at: '2026-11-29T03:10:00.000Z' },
  { category: 'books', feature: 'store_id', psi: 0.27, at: '2026-11-29T03:10:00.000Z' },
  { category: 'books', feature: 'units', psi: 0.04, at: '2026-11-29T03:10:00.000Z' },
  { category: 'garden', feature: 'units', psi: 0.02, at: '2026-11-29T03:12:00.000Z' },
];

export async function startUi(registry: ModelRegistryClient, drift: DriftSource = { latest: async () => DRIFT }) {
  const spec = loadModelSpec(join(__dirname, '..', '..', 'models', MODEL, 'model.yaml'));
  return startUiServer({ registry, s3, drift, spec: (m) => (m === MODEL ? spec : undefined), now: () => NOW }, 0);
}
