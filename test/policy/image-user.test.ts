// The Batch job runs the model image as uid 1000 on a read-only root filesystem, /opt/ml and /tmp
// being fresh volumes that take the image directory's owner (training-backend.ts, batchUser). The
// example model's image and the `mlops new` scaffold must hand /opt/ml to that user, and leave the
// image's own user as root, which SageMaker expects.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOCKERFILE } from '../../cli/commands/new-model-files';

const IMAGES: Array<[string, string]> = [
  ['models/demand-forecast/Dockerfile', readFileSync(join(__dirname, '..', '..', 'models', 'demand-forecast', 'Dockerfile'), 'utf8')],
  ['the mlops new scaffold', DOCKERFILE],
];

describe.each(IMAGES)('%s', (_name, dockerfile) => {
  const instructions = dockerfile.split('\n').filter((l) => !l.startsWith('#'));

  test('creates /opt/ml owned by uid 1000, the Batch job definition\'s user', () => {
    expect(instructions.some((l) => /^RUN .*mkdir -p \/opt\/ml && chown 1000:1000 \/opt\/ml/.test(l))).toBe(true);
  });

  test('sets no USER, so SageMaker runs it as root as it expects', () => {
    expect(instructions.filter((l) => /^USER\b/.test(l))).toEqual([]);
  });
});
