#!/usr/bin/env node
// The `mlops` executable (package.json "bin"). All logic is in main.ts.
import { main } from './main';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `mlops versions demand | head -1`: the reader is gone, so nothing more is wanted. Exit quietly
// instead of dying on the unhandled EPIPE with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}).then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`error: ${String(e)}\n`);
  process.exitCode = 4;
});
