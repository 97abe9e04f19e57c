// The default app (bin/app.ts, what `cdk synth` runs) as a child process, the way cdk runs it.
// The app is bundled with esbuild (npm packages stay external) into a temp package whose handler
// and server bundles are empty stand-ins: the spec report under test comes before any asset is
// staged, and the tests do not depend on a previous build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

export const ROOT = join(__dirname, '..', '..');

export interface AppHarness {
  /** The temp package: the app's working directory. */
  readonly work: string;
  /** Runs the app on a models folder. */
  synth(modelsDir: string): { status: number | null; stderr: string };
  cleanup(): void;
}

export function appHarness(): AppHarness {
  const work = mkdtempSync(join(tmpdir(), 'mlops-app-'));
  const appJs = join(work, 'dist', 'bin', 'app.js');
  writeFileSync(join(work, 'package.json'), '{"name":"app-under-test","private":true}');
  const handlers = readdirSync(join(ROOT, 'lambda')).filter((d) => existsSync(join(ROOT, 'lambda', d, 'index.ts')));
  for (const file of [...handlers.map((h) => join('build', 'handlers', h, 'index.js')), join('build', 'server', 'server.js'), join('build', 'server', 'Dockerfile')]) {
    mkdirSync(join(work, file, '..'), { recursive: true });
    writeFileSync(join(work, file), '');
  }
  buildSync({ entryPoints: [join(ROOT, 'bin', 'app.ts')], outfile: appJs, bundle: true, platform: 'node', format: 'cjs', packages: 'external', logLevel: 'silent' });
  return {
    work,
    synth(modelsDir) {
      const r = spawnSync(process.execPath, [appJs], {
        cwd: work, encoding: 'utf8',
        env: { PATH: process.env.PATH, NODE_PATH: join(ROOT, 'node_modules'), MLOPS_MODELS_DIR: modelsDir, CDK_OUTDIR: join(work, 'cdk.out') },
      });
      return { status: r.status, stderr: r.stderr };
    },
    cleanup: () => rmSync(work, { recursive: true, force: true }),
  };
}

/** A Node stack trace, or Node's own crash banner. */
export const NO_STACK = /^\s+at |node:internal|Node\.js v\d/m;
