// Bundles every Lambda handler (lambda/<name>/index.ts) into build/handlers/<name>/index.js
// at build time, so `cdk synth` needs neither Docker nor esbuild. Any warning fails the build.
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'lambda');
const outRoot = join(root, 'build', 'handlers');

const handlers = readdirSync(srcDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'shared' && existsSync(join(srcDir, d.name, 'index.ts')))
  .map((d) => d.name);

rmSync(outRoot, { recursive: true, force: true });
const results = await Promise.all(handlers.map((name) => build({
  entryPoints: [join(srcDir, name, 'index.ts')],
  outfile: join(outRoot, name, 'index.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  minify: true,
  sourcemap: false,
  external: ['@aws-sdk/*'],
  logLevel: 'silent',
  legalComments: 'none',
})));

const warnings = results.flatMap((r, i) => r.warnings.map((w) => `${handlers[i]}: ${w.text} (${w.location?.file}:${w.location?.line})`));
if (warnings.length > 0) {
  console.error(`esbuild produced ${warnings.length} warning(s); the build fails on warnings:\n${warnings.join('\n')}`);
  process.exit(1);
}
console.log(`bundled ${handlers.length} handler(s) into build/handlers: ${handlers.join(', ')}`);
