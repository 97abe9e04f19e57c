#!/usr/bin/env node
// The process `mlops local up` leaves running: synthesizes the default app into <dir>/cdk.out,
// starts the emulators, creates the templates' tables and buckets, writes <dir>/state.json, and
// stops the emulators on SIGTERM (`mlops local down`).
//   node dist/local/daemon.js <dir> <modelsDir>
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateModelSpecs } from '../lib/checks/spec-report';
import { Cleanup } from './cleanup';
import { startDynamoDbLocal, startS3Emulator } from './emulators';
import { synthDefaultApp } from './platform/assembly';
import { LocalPlatform } from './platform/local-platform';
import { assemblyDir, stateFile, writeLocalState } from '../cli/local-state';

async function up(dir: string, modelsDir: string, cleanup: Cleanup): Promise<void> {
  rmSync(assemblyDir(dir), { recursive: true, force: true });
  const emulators = Promise.all([startDynamoDbLocal(), startS3Emulator()]);
  cleanup.add(async () => { for (const e of await emulators.catch(() => [])) await e.stop(); });
  const assembly = synthDefaultApp({ modelsDir, outdir: assemblyDir(dir) });
  const [ddb, s3] = await emulators;
  const endpoints = { dynamodb: ddb.endpoint, s3: s3.endpoint };
  const platform = new LocalPlatform({ assembly, specs: validateModelSpecs(modelsDir).specs, endpoints });
  await platform.createResources();
  writeLocalState(dir, { modelsDir, endpoints, daemonPid: process.pid, cliEnv: platform.cliEnvironment() });
}

const [dir, modelsDir] = process.argv.slice(2);
const cleanup = new Cleanup();
const stop = (code: number) => void cleanup.run().then(() => {
  rmSync(stateFile(dir), { force: true });
  process.exit(code);
});
process.once('SIGTERM', () => stop(0));
process.once('SIGINT', () => stop(0));
up(dir, modelsDir, cleanup).catch((e: Error) => {
  writeFileSync(join(dir, 'error.txt'), e.message);
  stop(1);
});
