#!/usr/bin/env node
// Entry point of `npm run demo` (dist/local/demo/main.js): runs the demo, stops what it started on
// exit, on failure and on Ctrl-C, then checks that nothing it started still listens or runs. The
// demo checks its own answers too, so its exit code is a test result (CI runs it after npm test).
import './quiet-logs';
import { Cleanup } from '../cleanup';
import { runDemo } from './run-demo';
import { leftRunning } from './verify';

const cleanup = new Cleanup();
const started = { ports: [] as number[], pids: [] as number[] };
let stopping = false;
const stop = (code: number) => {
  if (stopping) return;
  stopping = true;
  void cleanup.run().then(async () => {
    const left = await leftRunning(started);
    if (left.length) process.stderr.write(`demo: left running after cleanup: ${left.join(', ')}\n`);
    else if (code === 0) process.stdout.write(`stopped everything it started (ports ${started.ports.join(', ')}; ${started.pids.length} processes)\n`);
    process.exit(left.length && code === 0 ? 1 : code);
  });
};
process.once('SIGINT', () => { process.stderr.write('\ninterrupted: stopping what the demo started\n'); stop(130); });
process.once('SIGTERM', () => stop(143));

runDemo({ out: (line) => process.stdout.write(`${line}\n`), cleanup, started }).then(
  () => stop(0),
  (e: Error) => {
    // After Ctrl-C the steps fail as their processes stop: that is not news.
    if (!stopping) process.stderr.write(`demo failed: ${e.message}\n`);
    stop(1);
  },
);
