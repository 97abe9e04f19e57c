// The cdk.json build hook: runs each build step (tsc, handler bundles, server bundle) only when
// its inputs changed since its last successful run, so `cdk synth` right after a synth does
// neither the TypeScript nor the esbuild work. A step's fingerprint is a SHA-256 over the
// content of every input file (not mtimes: a checkout or copy must not force a rebuild, an
// edit must not be missed); it is stored in build/.stamps/<step>.json after the step succeeds,
// with the modification times of the step's outputs. The step reruns when an output is missing
// or was rewritten since (e.g. by `npm run build`, which always builds, from other sources).
//   node scripts/build-if-changed.mjs
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const stamps = join(root, 'build', '.stamps');
const LOCK = ['package-lock.json', 'tsconfig.json'];
const SKIPPED_DIRS = ['node_modules', 'dist', 'build', 'cdk.out', '__snapshots__'];

/** Every file under `paths` (files, or folders walked without node_modules/dist/build), sorted. */
function files(paths) {
  const out = [];
  const walk = (p) => {
    for (const e of readdirSync(join(root, p), { withFileTypes: true })) {
      const child = join(p, e.name);
      if (!e.isDirectory()) out.push(child);
      else if (!SKIPPED_DIRS.includes(e.name)) walk(child);
    }
  };
  for (const p of paths) {
    const stat = statSync(join(root, p), { throwIfNoEntry: false });
    if (stat?.isDirectory()) walk(p);
    else if (stat) out.push(p);
  }
  return out.sort();
}

function fingerprint(paths) {
  const hash = createHash('sha256');
  for (const f of files(paths)) hash.update(f).update('\0').update(readFileSync(join(root, f))).update('\0');
  return hash.digest('hex');
}

/** Modification time of each output of a step (null when missing). */
function outputTimes(step) {
  return step.outputs.map((o) => statSync(join(root, o), { throwIfNoEntry: false })?.mtimeMs ?? null);
}

const node = process.execPath;
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const STEPS = [
  { name: 'tsc', inputs: ['lib', 'bin', 'lambda', 'local', 'cli', 'server', 'test', 'bench', ...LOCK], outputs: ['dist/bin/app.js', 'dist/lib/index.js'], run: [node, tsc, '-p', 'tsconfig.json'] },
  { name: 'handlers', inputs: ['lambda', 'lib', 'cli', 'scripts/bundle.mjs', ...LOCK], outputs: ['build/handlers'], run: [node, join(root, 'scripts', 'bundle.mjs')] },
  { name: 'server', inputs: ['server', 'lambda', 'lib', 'cli', ...LOCK], outputs: ['build/server/server.js'], run: [node, join(root, 'server', 'build.mjs')] },
];

mkdirSync(stamps, { recursive: true });
const skipped = [];
for (const step of STEPS) {
  const print = fingerprint(step.inputs);
  const stampFile = join(stamps, `${step.name}.json`);
  const last = existsSync(stampFile) ? JSON.parse(readFileSync(stampFile, 'utf8')) : undefined;
  if (last?.fingerprint === print && JSON.stringify(last.outputs) === JSON.stringify(outputTimes(step))) { skipped.push(step.name); continue; }
  execFileSync(step.run[0], step.run.slice(1), { cwd: root, stdio: 'inherit' });
  writeFileSync(stampFile, JSON.stringify({ fingerprint: print, outputs: outputTimes(step) }));
}
if (skipped.length > 0) console.error(`build: ${skipped.join(', ')} skipped (inputs unchanged since the last build)`);
