#!/usr/bin/env node
// The `mlops` executable (package.json "bin"). All logic is in main.ts.
import { main } from './main';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

main(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}).then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`error: ${String(e)}\n`);
  process.exitCode = 4;
});
