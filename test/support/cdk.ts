import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

const outdirs: string[] = [];
afterAll(() => {
  for (const d of outdirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** An App whose cloud assembly goes to a temp folder removed after the suite (no cdk.outXXXX litter). */
export function testApp(opts: { validation?: boolean } = {}): App {
  const outdir = mkdtempSync(join(tmpdir(), 'mlops-cdk-'));
  outdirs.push(outdir);
  return new App({ outdir, builtinCloudFormationValidation: opts.validation ?? false });
}

/** A stack in a fresh test app. */
export function testStack(id = 'Test'): Stack {
  return new Stack(testApp(), id);
}

export interface NagFinding {
  readonly ruleId: string;
  readonly path: string;
  readonly message: string;
}

/**
 * Synthesizes the app built by `build` with the AwsSolutions pack and returns every
 * unacknowledged finding (errors and warnings), so tests can expect an empty list.
 */
export function nagFindings(build: (app: App) => void): NagFinding[] {
  const app = testApp();
  build(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (e) {
    if (!/validation/i.test(String((e as Error).name) + String((e as Error).message))) throw e;
  }
  return readFindings(app.outdir);
}

function readFindings(outdir: string): NagFinding[] {
  const files = readdirSync(outdir).filter((f) => /validation-report\.json$/.test(f));
  const findings: NagFinding[] = [];
  for (const f of files) {
    const report = JSON.parse(readFileSync(join(outdir, f), 'utf8'));
    collect(report, findings);
  }
  if (files.length === 0 && existsSync(join(outdir, 'manifest.json'))) return findings;
  return findings;
}

// The report nests plugin reports -> violations -> violatingResources; walk it generically.
function collect(node: unknown, out: NagFinding[]): void {
  if (Array.isArray(node)) { node.forEach((n) => collect(n, out)); return; }
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  if (typeof o.ruleName === 'string' && Array.isArray(o.violatingConstructs ?? o.violatingResources)) {
    for (const v of (o.violatingConstructs ?? o.violatingResources) as Array<Record<string, unknown>>) {
      out.push({ ruleId: o.ruleName, path: String(v.constructPath ?? v.resourceLogicalId ?? v.locations ?? ''), message: String(o.description ?? '') });
    }
    return;
  }
  Object.values(o).forEach((v) => collect(v, out));
}
