// Bundles the prediction server into build/server/server.js and stages the Docker build
// context (Dockerfile + bundle) in build/server, which PredictionService uses as its image
// asset. The AWS SDK is bundled: the container has no node_modules. Any warning fails.
//   node server/build.mjs
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'build', 'server');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const result = await build({
  entryPoints: [join(here, 'main.ts')],
  outfile: join(outDir, 'server.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  minify: true,
  sourcemap: false,
  logLevel: 'silent',
  legalComments: 'none',
});
if (result.warnings.length > 0) {
  console.error(`esbuild produced ${result.warnings.length} warning(s); the build fails on warnings:\n${result.warnings.map((w) => `${w.text} (${w.location?.file}:${w.location?.line})`).join('\n')}`);
  process.exit(1);
}
copyFileSync(join(here, 'Dockerfile'), join(outDir, 'Dockerfile'));
copyFileSync(join(here, 'healthcheck.js'), join(outDir, 'healthcheck.js'));
const kib = Math.round(statSync(join(outDir, 'server.js')).size / 1024);
console.log(`bundled the prediction server into build/server/server.js (${kib} KiB) with its Dockerfile`);
