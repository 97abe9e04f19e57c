// Issue 11 §4, lineage: a training image given by tag is pinned by digest. The synthesized
// training definition runs in the local ASL runner on the real handlers; the plan step's real
// ECR client (@aws-sdk/client-ecr) talks to a local stub that answers DescribeImages the way ECR
// does (JSON 1.1 protocol), so the version records the digest the tag pointed at when the
// execution was planned, even after the tag moved.
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ECRClient } from '@aws-sdk/client-ecr';
import { TRAINING_STATES as S } from '../../lambda/shared/training/constants';
import { planExecution } from '../../lambda/training-plan';
import { TrainingBackend, TrainingImage } from '../../lib/training-pipeline';
import { DATE, GOOD_ROWS, LocalPipeline, MODEL, localPipeline, pipelineStack } from '../training-pipeline/harness';

const REPOSITORY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand';
const digest = (c: string) => `sha256:${c.repeat(64)}`;

/** ECR's answer for each tag, or the error it gives. */
let tags: Record<string, string | { error: string; status: number }> = {};
const requests: Array<{ target: string; region: string; body: Record<string, unknown> }> = [];
let server: Server;
let endpoint: string;

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const parsed = JSON.parse(await body(req)) as { repositoryName: string; imageIds: Array<{ imageTag: string }> };
    // The signing region is in the Authorization header's credential scope.
    const region = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
    requests.push({ target: String(req.headers['x-amz-target']), region, body: parsed });
    const answer = tags[parsed.imageIds[0].imageTag];
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    if (answer === undefined || typeof answer !== 'string') {
      const e = answer ?? { error: 'ImageNotFoundException', status: 400 };
      res.statusCode = e.status;
      res.end(JSON.stringify({ __type: e.error, message: `${e.error} for ${parsed.repositoryName}` }));
      return;
    }
    res.end(JSON.stringify({ imageDetails: [{ registryId: '123456789012', repositoryName: parsed.repositoryName, imageDigest: answer, imageTags: [parsed.imageIds[0].imageTag] }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => { tags = {}; requests.length = 0; });

const ecrFor = (region: string) => new ECRClient({ region, endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });

/** The local pipeline training `image`, its plan step given ECR clients on the stub. */
async function pipelineWith(image: string): Promise<LocalPipeline> {
  let p: LocalPipeline | undefined;
  p = await localPipeline(
    { backend: TrainingBackend.sageMaker({ image: TrainingImage.fromRegistry(image) }) },
    { wrap: { [S.plan]: () => (e) => planExecution(e, { ...p!.deps, ecr: ecrFor }) } },
  );
  await p.uploadData('books', GOOD_ROWS);
  return p;
}

test('a tagged ECR image is pinned by digest at plan time: the version records the digest, not the tag, even after the tag moved', async () => {
  tags = { v3: digest('a') };
  const p = await pipelineWith(`${REPOSITORY}:v3`);
  const res = await p.machine.start({ executionDate: DATE, categories: ['books'], hyperparameters: { rmse_books: 0.4 } }).outcome;
  expect(res.status).toBe('SUCCEEDED');
  expect(requests).toEqual([{ target: 'AmazonEC2ContainerRegistry_V20150921.DescribeImages', region: 'eu-west-1', body: { registryId: '123456789012', repositoryName: 'demand', imageIds: [{ imageTag: 'v3' }] } }]);
  expect(await p.registry.getVersion(MODEL, 'books', 1)).toMatchObject({ image: `${REPOSITORY}@${digest('a')}` });

  // Someone pushes v3 again: the next execution records the new digest, the old version keeps its own.
  tags = { v3: digest('b') };
  expect((await p.machine.start({ executionDate: DATE, categories: ['books'], hyperparameters: { rmse_books: 0.3 } }).outcome).status).toBe('SUCCEEDED');
  expect((await p.registry.getVersion(MODEL, 'books', 2))!.image).toBe(`${REPOSITORY}@${digest('b')}`);
  expect((await p.registry.getVersion(MODEL, 'books', 1))!.image).toBe(`${REPOSITORY}@${digest('a')}`);
});

test('an image already given by digest, or outside ECR, is recorded as given without asking ECR', async () => {
  for (const image of [`${REPOSITORY}@${digest('c')}`, 'public.ecr.aws/docker/library/python:3.12-slim']) {
    const p = await pipelineWith(image);
    expect((await p.machine.start({ executionDate: DATE, categories: ['books'], hyperparameters: { rmse_books: 0.4 } }).outcome).status).toBe('SUCCEEDED');
    expect((await p.registry.getVersion(MODEL, 'books', 1))!.image).toBe(image);
  }
  expect(requests).toEqual([]);
});

test('a tag that does not exist fails the plan with what to fix; a denied DescribeImages records the tag with a warning', async () => {
  const missing = await pipelineWith(`${REPOSITORY}:nope`);
  const failed = await missing.machine.start({ executionDate: DATE, categories: ['books'] }).outcome;
  expect(failed.status).toBe('FAILED');
  expect(JSON.stringify(failed)).toContain(`tag \\"nope\\" does not exist in ECR repository ${REPOSITORY}: push the image, or point the spec's training.image at one that exists`);

  tags = { v3: { error: 'AccessDeniedException', status: 400 } };
  const denied = await pipelineWith(`${REPOSITORY}:v3`);
  expect((await denied.machine.start({ executionDate: DATE, categories: ['books'], hyperparameters: { rmse_books: 0.4 } }).outcome).status).toBe('SUCCEEDED');
  expect((await denied.registry.getVersion(MODEL, 'books', 1))!.image).toBe(`${REPOSITORY}:v3`);
  expect(denied.logLines).toContainEqual(expect.objectContaining({ level: 'WARN', message: expect.stringContaining('not pinned by digest') }));
});

test('the training functions\' role (the plan step resolves digests) may describe the images of the training repository, and only those', () => {
  const { template } = pipelineStack({ backend: TrainingBackend.sageMaker({ image: TrainingImage.fromRegistry(`${REPOSITORY}:v3`) }) });
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
    .filter((st) => [st.Action].flat().includes('ecr:DescribeImages'));
  expect(statements).toEqual([expect.objectContaining({ Action: 'ecr:DescribeImages', Resource: 'arn:aws:ecr:eu-west-1:123456789012:repository/demand' })]);
  const planRole = Object.entries(template.findResources('AWS::IAM::Policy')).find(([, p]) => JSON.stringify(p).includes('ecr:DescribeImages'))![1];
  // The plan step shares the training pipeline's function role (one role per pipeline).
  expect(JSON.stringify(planRole.Properties.Roles)).toMatch(/TrainingFunctionRole/);
});
