// `mlops ui`: the registry, the runs' metric curves, comparisons and each model's production
// history on a local web page. Nothing is deployed: the server runs here, on 127.0.0.1, and reads
// with the user's own AWS credentials (or the emulators' endpoints, like every command).
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ModelSpec } from '../../lib/spec/model-spec';
import { COMMAND_TABLE } from '../command-table';
import { CliContext } from '../context';
import { UsageError } from '../errors';
import { CloudWatchDriftSource } from '../ui/drift';
import { startUiServer } from '../ui/server';
import { UiSources } from '../ui/api';
import { Command } from './command';
import { modelSpecOf } from './data';

/** The port `mlops ui` listens on without --port. */
export const DEFAULT_UI_PORT = 8484;

function parsePort(value: unknown): number {
  if (value === undefined) return DEFAULT_UI_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${String(value)} is not a port`, `use a whole number from 1 to 65535 (0 picks a free one), e.g. --port ${DEFAULT_UI_PORT}`);
  return port;
}

/** What the page reads: the context's registry and S3 client, CloudWatch for drift, the specs in the models folder. */
export async function uiSources(ctx: CliContext, modelsDir: unknown): Promise<UiSources> {
  const warned = new Set<string>();
  const spec = (model: string): ModelSpec | undefined => {
    try {
      return modelSpecOf(ctx, model, modelsDir);
    } catch (e) {
      // Without its spec the page still shows the model, without threshold and warning age.
      if (!warned.has(model)) { warned.add(model); ctx.io.err(`note: ${(e as Error).message.split('\n')[0]}`); }
      return undefined;
    }
  };
  return { registry: await ctx.registry(), s3: ctx.s3(), drift: new CloudWatchDriftSource(new CloudWatchClient({})), spec, now: ctx.now };
}

/** `mlops ui [--port <n>] [--models-dir <dir>]` */
export const uiCommand: Command = {
  ...COMMAND_TABLE.ui,
  async run(ctx, { flags }) {
    const port = parsePort(flags.port);
    const { url, server } = await startUiServer(await uiSources(ctx, flags['models-dir']), port);
    ctx.io.out(`The registry is on ${url} (Ctrl-C stops the server)`);
    await new Promise<void>((resolve) => {
      const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); server.close(() => resolve()); server.closeAllConnections(); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
