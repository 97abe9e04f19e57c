// Runs the AWS Control Tower proactive-control rules (the cfn-guard binary and rules that
// @cdklabs/cdk-validator-cfnguard ships) on synthesized templates. cfn-guard costs about 20 ms of
// CPU per rule file per 100 KB template, whether or not the rule applies, so the run is cut to
// what can change its result: identical templates (a stack that is the same in two apps) are
// checked once, and each template only against the rule files that select one of its resource
// types. Every rule file selects resources by a literal type (`Resources.*[ Type == "AWS::..." ]`
// and guards its checks with `when ... not empty`), so a file naming none of a template's types
// can only report SKIP for it; a file naming no type at all is always run.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';

const GUARD_PACKAGE_DIR = dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
/** The Control Tower rules folder of the validator package. */
export const CONTROL_TOWER_RULES = join(GUARD_PACKAGE_DIR, 'rules', 'control-tower', 'cfn-guard');
// Where the package keeps the binary for this machine (its plugin's own lookup is private).
const GUARD_BINARY = join(GUARD_PACKAGE_DIR, 'bin', platform() === 'darwin' ? 'macos' : 'ubuntu', arch() === 'arm64' ? 'aarch64' : 'x86_64', 'cfn-guard');
// Two cfn-guard processes at a time: the test machines have two cores.
const CONCURRENCY = 2;

/** A rule cfn-guard reports as not compliant, with the paths of what it traversed. */
export interface GuardRule { readonly name: string; readonly [detail: string]: unknown }

/** The rule files under `dir`, each with the resource types it names. */
export function ruleFiles(dir = CONTROL_TOWER_RULES): Array<{ file: string; types: Set<string> }> {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.guard')).sort().map((f) => {
    const file = join(dir, f);
    return { file, types: new Set([...readFileSync(file, 'utf8').matchAll(/"(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)"/g)].map((m) => m[1])) };
  });
}

/** The rule files that can report on a template with these resource types. */
export function rulesFor(templateTypes: Set<string>, rules = ruleFiles()): string[] {
  return rules.filter((r) => r.types.size === 0 || [...r.types].some((t) => templateTypes.has(t))).map((r) => r.file);
}

/** Runs cfn-guard once per distinct template; returns each template file's not-compliant rules. */
export async function guardResults(templates: string[], rulesDir = CONTROL_TOWER_RULES): Promise<Map<string, GuardRule[]>> {
  const rules = ruleFiles(rulesDir);
  const byContent = new Map<string, string[]>();
  for (const t of templates) {
    const hash = createHash('sha256').update(readFileSync(t)).digest('hex');
    byContent.set(hash, [...(byContent.get(hash) ?? []), t]);
  }
  const groups = [...byContent.values()];
  const results = new Map<string, GuardRule[]>();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < groups.length; i = next++) {
      const [first] = groups[i];
      const types = new Set(Object.values<{ Type: string }>(JSON.parse(readFileSync(first, 'utf8')).Resources ?? {}).map((r) => r.Type));
      const failing = await runGuard(first, rulesFor(types, rules));
      for (const t of groups[i]) results.set(t, failing);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

/** Runs cfn-guard with the given rule files on one template; returns its not-compliant rules. */
export async function runGuard(template: string, rules: string[]): Promise<GuardRule[]> {
  if (rules.length === 0) return [];
  const args = ['validate', ...rules.flatMap((r) => ['--rules', r]), '--data', template, '--output-format', 'json', '--show-summary', 'none', '--structured'];
  const { status, stdout, stderr } = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(GUARD_BINARY, args);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
  // Exit 19 means "some rule failed"; anything else but 0 is a broken run, not a result.
  if (status !== 0 && status !== 19) throw new Error(`cfn-guard exited ${status} on ${template}: ${stderr}`);
  const results: Array<{ name: string; not_compliant?: Array<{ Rule: GuardRule }> }> = JSON.parse(stdout);
  if (results.length !== 1 || results[0].name !== template) throw new Error(`cfn-guard reported on ${results.map((r) => r.name).join(', ')}, not on ${template}`);
  return (results[0].not_compliant ?? []).map((n) => n.Rule);
}
