// Every problem of a models folder in one report: spec fields, rules across fields, what the
// platform's constructs would reject, and the pattern checks (acknowledgements included). One pass,
// no CDK synth: `mlops validate` prints it in about a second, and `cdk synth` (bin/app.ts) prints
// the same report before it builds anything.
import { basename, dirname, relative, sep } from 'node:path';
import { SpecProblem, describeValue } from '../spec/fields';
import { inspectModelSpecs, relatedPaths } from '../spec/load-model-spec';
import { ModelSpec } from '../spec/model-spec';
import { CheckLevel } from './pattern-check';
import { PatternFinding, runPatternChecks } from './run-pattern-checks';

/** What `validateModelSpecs` found. */
export interface SpecReport {
  /** The specs, resolved with stand-ins for bad values; only specs without problems may be built. */
  readonly specs: readonly ModelSpec[];
  /** Problems of the spec files (every one is an error). */
  readonly problems: readonly SpecProblem[];
  /** Pattern-check findings, acknowledged ones included; none at a field that already has a problem. */
  readonly findings: readonly PatternFinding[];
}

/** Validates every spec of a models folder and runs the pattern checks over them, in one pass. */
export function validateModelSpecs(modelsDir: string): SpecReport {
  const { specs, problems } = inspectModelSpecs(modelsDir);
  // A finding at (or around) a field that has a problem rests on the stand-in value: left out.
  const findings = runPatternChecks(specs).filter((f) => !problems.some((p) => p.file === f.file && relatedPaths(p.path, f.path)));
  return { specs, problems, findings };
}

/** The errors of a report: every problem, and the findings of error level nobody acknowledged. */
export function reportErrors(r: SpecReport): number {
  return r.problems.length + r.findings.filter(isError).length;
}

/** The part of a report about one model: its spec (named so, or in a folder so named), and the findings about it. */
export function reportFor(r: SpecReport, model: string): SpecReport {
  const spec = r.specs.find((s) => s.name === model);
  return {
    specs: spec ? [spec] : [],
    problems: r.problems.filter((p) => p.file === spec?.file || basename(dirname(p.file)) === model),
    findings: r.findings.filter((f) => f.model === model),
  };
}

const isError = (f: PatternFinding) => f.level === CheckLevel.ERROR && !f.acknowledgedReason;

/** One entry of the report, as `--json` prints it and the text lines are made from. */
export interface ReportEntry {
  readonly level: 'error' | 'warning' | 'acknowledged';
  /** The spec file, relative to the folder the report is shown in. */
  readonly file: string;
  /** The spec field, e.g. `inference.tps`. */
  readonly path: string;
  /** The pattern check id, for findings. */
  readonly check?: string;
  readonly message: string;
  readonly fix: string;
}

/** The report as entries, files relative to `cwd` (errors first, in file order). */
export function reportEntries(r: SpecReport, cwd: string): ReportEntry[] {
  const rel = (file: string) => (file.startsWith('<') ? file : relative(cwd, file).split(sep).join('/'));
  const entries: ReportEntry[] = [
    ...r.problems.map((p): ReportEntry => ({
      level: 'error', file: rel(p.file), path: p.path, message: `${describeValue(p.value)} is invalid: expected ${p.expected}`, fix: p.fix,
    })),
    ...r.findings.map((f): ReportEntry => {
      const [what, fix] = splitFix(f.detail);
      return {
        level: f.acknowledgedReason ? 'acknowledged' : f.level === CheckLevel.ERROR ? 'error' : 'warning',
        file: rel(f.file), path: f.path, check: f.id,
        message: `${f.info}${what ? ` ${what}` : ''}${f.acknowledgedReason ? ` (acknowledged: ${f.acknowledgedReason})` : ''}`, fix,
      };
    }),
  ];
  const rank = { error: 0, warning: 1, acknowledged: 2 };
  return entries.sort((a, b) => rank[a.level] - rank[b.level] || a.file.localeCompare(b.file));
}

/** A finding's detail is "<the numbers>; <the fix>". */
function splitFix(detail: string): [string, string] {
  const at = detail.lastIndexOf('; ');
  return at < 0 ? ['', detail] : [detail.slice(0, at), detail.slice(at + 2)];
}

/** The report as text: one line per entry and its fix, then the counts. */
export function formatSpecReport(r: SpecReport, cwd: string): string {
  const entries = reportEntries(r, cwd);
  const lines = entries.map((e) => `${e.level}: ${e.file}${e.path ? `: ${e.path}` : ''}: ${e.check ? `${e.check}: ` : ''}${e.message}\n  fix: ${e.fix}`);
  const count = (level: ReportEntry['level']) => entries.filter((e) => e.level === level).length;
  const specs = new Set([...r.specs.map((s) => s.file), ...r.problems.map((p) => p.file)]).size;
  if (entries.some((e) => e.check && e.level === 'error')) {
    lines.push('A pattern-check finding you accept is acknowledged in its spec: acknowledge: [{ id: <check id>, reason: <why it is acceptable> }]');
  }
  lines.push(`${count('error')} error(s), ${count('warning')} warning(s), ${count('acknowledged')} acknowledged in ${specs} spec(s)`);
  return lines.join('\n');
}
