// The README's table of cfn-guard acknowledgements is generated from the synthesized apps the
// Control Tower rules are held to (test/policy/apps.ts; each synthesized once per run, shared with
// guard.test.ts), so it lists what the templates carry: one row per control and reason, with how
// many resources of which types carry it, in which apps. UPDATE_GUARD_DOCS=1 rewrites it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { guardAcknowledgements } from '../../lib/common/guard';
import { sharedAssembly } from '../support/synth-cache';
import { APPS } from './apps';

const README = join(__dirname, '..', '..', 'README.md');
const BLOCK = /(<!-- guard-acknowledgements -->\n)[\s\S]*?(<!-- \/guard-acknowledgements -->)/;

interface Row { control: string; rule: string; reason: string; resources: Set<string>; types: Set<string>; apps: Set<string> }

function table(): string {
  const rows = new Map<string, Row>();
  for (const [name, build] of APPS) {
    const assembly = sharedAssembly(`guard ${name}`, build);
    const stacks = [...assembly.stacks, ...assembly.nestedAssemblies.flatMap((stage) => stage.nestedAssembly.stacks)];
    for (const stack of stacks) {
      for (const a of guardAcknowledgements(stack.template)) {
        const key = `${a.control}|${a.rule}|${a.reason}`;
        const row = rows.get(key) ?? { control: a.control, rule: a.rule, reason: a.reason, resources: new Set(), types: new Set(), apps: new Set() };
        row.resources.add(`${name}/${stack.stackName}/${a.resource}`);
        row.types.add(a.type);
        row.apps.add(name);
        rows.set(key, row);
      }
    }
  }
  const cell = (v: string) => v.replace(/\|/g, '\\|');
  return ['| control (rule) | resources | reason |', '|---|---|---|',
    ...[...rows.values()].sort((a, b) => a.control.localeCompare(b.control) || a.reason.localeCompare(b.reason)).map((r) =>
      `| ${r.control} (\`${r.rule}\`) | ${r.resources.size} ${[...r.types].sort().join(', ')} (${[...r.apps].join(', ')}) | ${cell(r.reason)} |`)].join('\n');
}

test('the README lists every cfn-guard acknowledgement of the three apps with its reason', () => {
  const readme = readFileSync(README, 'utf8');
  expect(BLOCK.test(readme)).toBe(true);
  const expected = readme.replace(BLOCK, `$1${table()}\n$2`);
  if (process.env.UPDATE_GUARD_DOCS) writeFileSync(README, expected);
  expect(readFileSync(README, 'utf8')).toBe(expected);
}, 300_000);
