import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { addPolicyPacks } from '../../../bin/policy-packs';
import { pipelineApp } from '../../delivery/fixtures';
test('scratch', () => {
  const { app } = pipelineApp();
  addPolicyPacks(app, 'Mlops');
  try { app.synth(); } catch (e) { console.log(String(e).slice(0, 200)); }
  const out: string[] = [];
  const walk = (d: string) => { for (const f of readdirSync(d, { withFileTypes: true })) { if (f.isDirectory()) walk(join(d, f.name)); else if (f.name.endsWith('validation-report.json')) out.push(readFileSync(join(d, f.name), 'utf8')); } };
  walk(app.outdir);
  for (const r of out) for (const v of JSON.parse(r).pluginReports.flatMap((p: any) => p.violations)) for (const c of v.violatingConstructs) console.log(v.ruleName, c.constructPath);
});
