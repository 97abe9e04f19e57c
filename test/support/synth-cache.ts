// One synth of an app per jest run, shared by the suites that read the same app (the cfn-guard
// rules and the README table of their acknowledgements read the same three apps). The first suite
// to ask synthesizes into a fresh folder and renames it into the run's cache folder (made by
// globalSetup, removed by globalTeardown), so another worker finds either no assembly or a whole
// one. Two workers asking at once both synthesize; the later rename fails and its copy is dropped.
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { SYNTH_CACHE_ENV } from './synth-cache-env';

/** The cloud assembly of the app `build` makes, synthesized once per jest run under `key`. */
export function sharedAssembly(key: string, build: (app: App) => void): CloudAssembly {
  const root = process.env[SYNTH_CACHE_ENV];
  if (!root) throw new Error(`${SYNTH_CACHE_ENV} is not set: run the tests through jest (globalSetup makes the cache folder).`);
  const dir = join(root, key.replace(/[^A-Za-z0-9-]/g, '-'));
  if (!existsSync(join(dir, 'manifest.json'))) {
    const fresh = mkdtempSync(join(root, '.synth-'));
    const app = new App({ outdir: fresh, builtinCloudFormationValidation: false });
    build(app);
    app.synth();
    try {
      renameSync(fresh, dir);
    } catch (e) {
      rmSync(fresh, { recursive: true, force: true });
      if (!existsSync(join(dir, 'manifest.json'))) throw e;
    }
  }
  return new CloudAssembly(dir);
}
