#!/usr/bin/env node
// Entry point of `npm run demo` (dist/local/demo/main.js): runs the demo, stops what it started on
// exit, on failure and on Ctrl-C.
import './quiet-logs';
import { Cleanup } from '../cleanup';
import { runDemo } from './run-demo';

const cleanup = new Cleanup();
let stopping = false;
const stop = (code: number) => {
  if (stopping) return;
  stopping = true;
  void cleanup.run().then(() => process.exit(code));
};
process.once('SIGINT', () => { process.stderr.write('\ninterrupted: stopping what the demo started\n'); stop(130); });
process.once('SIGTERM', () => stop(143));

runDemo({ out: (line) => process.stdout.write(`${line}\n`), cleanup }).then(
  () => stop(0),
  (e: Error) => {
    // After Ctrl-C the steps fail as their processes stop: that is not news.
    if (!stopping) process.stderr.write(`demo failed: ${e.message}\n`);
    stop(1);
  },
);
