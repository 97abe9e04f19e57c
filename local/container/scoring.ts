// The local stand-in of a batch scoring job: the SageMaker CreateTrainingJob request the batch
// inference state machine makes, run as the model's command under the container contract in a
// temp folder standing in for /opt/ml. Like SageMaker, every input channel is downloaded to
// input/data/<channel>/ (an empty channel fails the job before the command starts), and
// output/data/ is uploaded as <S3OutputPath><job>/output/output.tar.gz.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CONTAINER } from '../../lambda/shared/contract';
import { RunOptions, TrainingJobFailed, parseS3Uri, run, syncDown } from './stand-in';

interface ScoringRequest {
  readonly TrainingJobName: string;
  readonly InputDataConfig: Array<{ ChannelName: string; DataSource: { S3DataSource: { S3Uri: string } } }>;
  readonly OutputDataConfig: { S3OutputPath: string };
  readonly Environment?: Record<string, string>;
}

/** A local Task handler for the scoring state: fails like SageMaker when a channel is empty or the command fails. */
export function localScoringTask(opts: RunOptions): (request: unknown) => Promise<{ TrainingJobName: string; TrainingJobStatus: 'Completed' }> {
  return async (request) => {
    const req = request as ScoringRequest;
    const root = mkdtempSync(join(tmpdir(), 'mlops-score-'));
    try {
      for (const channel of req.InputDataConfig) {
        const dir = join(root, 'input', 'data', channel.ChannelName);
        mkdirSync(dir, { recursive: true });
        await syncDown(opts.s3, parseS3Uri(channel.DataSource.S3DataSource.S3Uri), dir);
        if (channel.ChannelName === CONTAINER.scoringModelChannel && readdirSync(dir).length === 0) {
          throw new TrainingJobFailed(`ClientError: Data download failed: no objects under ${channel.DataSource.S3DataSource.S3Uri} (channel ${channel.ChannelName})`);
        }
      }
      const output = join(root, 'output', 'data');
      mkdirSync(output, { recursive: true });
      const res = await run(opts.command, {
        cwd: opts.cwd ?? process.cwd(),
        env: { ...process.env, ...req.Environment, ...opts.env, [CONTAINER.env.mlRoot]: root },
      });
      if (res.exitCode !== 0) {
        throw new TrainingJobFailed(JSON.stringify({ FailureReason: `AlgorithmError: ${opts.command.join(' ')} exited with ${res.exitCode}: ${res.stderr.slice(-1000)}` }));
      }
      const archive = join(root, 'output.tar.gz');
      execFileSync('tar', ['-czf', archive, '-C', output, '.']);
      const out = parseS3Uri(req.OutputDataConfig.S3OutputPath);
      const prefix = out.prefix === '' || out.prefix.endsWith('/') ? out.prefix : `${out.prefix}/`;
      await opts.s3.send(new PutObjectCommand({ Bucket: out.bucket, Key: `${prefix}${req.TrainingJobName}/output/output.tar.gz`, Body: readFileSync(archive) }));
      return { TrainingJobName: req.TrainingJobName, TrainingJobStatus: 'Completed' };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}
