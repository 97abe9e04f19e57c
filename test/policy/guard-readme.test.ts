// The README's table of cfn-guard acknowledgements is generated from the synthesized two-model
// app, so it lists what the templates carry: rule, resource, reason. UPDATE_GUARD_DOCS=1 rewrites it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { guardAcknowledgements } from '../../lib/common/guard';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { testApp } from '../support/cdk';
import { twoModelSpecs } from './apps';

const README = join(__dirname, '..', '..', 'README.md');
const BLOCK = /(<!-- guard-acknowledgements -->\n)[\s\S]*?(<!-- \/guard-acknowledgements -->)/;

function table(): string {
  const app = testApp();
  new MlopsPlatformStacks(app, { models: twoModelSpecs() });
  const rows = app.synth().stacks.flatMap((s) => guardAcknowledgements(s.template).map((r) => ({ stack: s.stackName, ...r })));
  const cell = (v: string) => v.replace(/\|/g, '\\|');
  return ['| control (rule) | resource | reason |', '|---|---|---|',
    ...rows.map((r) => `| ${r.control} (\`${r.rule}\`) | ${r.stack} \`${r.resource}\` (${r.type}) | ${cell(r.reason)} |`)].join('\n');
}

test('the README lists every cfn-guard acknowledgement of the two-model app with its reason', () => {
  const readme = readFileSync(README, 'utf8');
  expect(BLOCK.test(readme)).toBe(true);
  const expected = readme.replace(BLOCK, `$1${table()}\n$2`);
  if (process.env.UPDATE_GUARD_DOCS) writeFileSync(README, expected);
  expect(readFileSync(README, 'utf8')).toBe(expected);
});
