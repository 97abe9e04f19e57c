// Every `mlops` command the platform prints must be one the CLI runs (issue 9 §6). This test
// collects them from what users read: the pipeline's e-mails, the alarm descriptions of a
// synthesized platform, every string literal in the sources (error fixes, CLI output), the docs
// and the README, and parses each with the CLI's own parser (command, flags, positionals,
// required flags). A hint is a code span starting with `mlops `, or a line that starts with it.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import * as ts from 'typescript';
import { mlopsCommand, parseCommandLine, splitCommandLine } from '../../cli/command-line';
import { COMMAND_TABLE } from '../../cli/command-table';
import { COMMANDS } from '../../cli/main';
import { ApprovalRequest } from '../../lambda/shared/training/approvals';
import { abortedMessage, approvalMessage, summaryMessage } from '../../lambda/shared/training/messages';
import { MlopsPlatformStack } from '../../lib/platform/mlops-platform-stack';
import { loadModelSpecs } from '../../lib/spec/load-model-spec';
import { testApp } from '../support/cdk';

const ROOT = join(__dirname, '..', '..');

interface Hint { readonly where: string; readonly text: string }

/** `mlops ...` in backticks, and lines that start with `mlops ` (commands on their own line, as in e-mails and shell blocks). */
function hintsIn(text: string, where: string): Hint[] {
  const out: Hint[] = [];
  for (const m of text.matchAll(/`(mlops [^`\n]*)`/g)) out.push({ where, text: m[1] });
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t.startsWith('mlops ')) out.push({ where, text: t.replace(/\s+#.*$/, '') });
  }
  return out;
}

/** Why the CLI refuses a hint, or undefined when it parses. `mlops <command> ...` is syntax, not a command line. */
function refusal(h: Hint): string | undefined {
  const argv = splitCommandLine(h.text).slice(1);
  if (/^<[a-z-]+>$/.test(argv[0] ?? '')) return undefined;
  try {
    parseCommandLine(argv);
    return undefined;
  } catch (e) {
    return `${h.where}: "${h.text}": ${(e as Error).message}`;
  }
}

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p, ext) : p.endsWith(ext) && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** Text of every string literal and template (interpolations as `<x>`) in a TypeScript file; comments are not strings. */
function stringsOf(file: string): Array<{ line: number; text: string }> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: Array<{ line: number; text: string }> = [];
  const visit = (node: ts.Node): void => {
    const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.push({ line, text: node.text });
    else if (ts.isTemplateExpression(node)) out.push({ line, text: node.head.text + node.templateSpans.map((s) => `<x>${s.literal.text}`).join('') });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const APPROVAL: ApprovalRequest = {
  model: 'demand-forecast', category: 'books', version: 7, runId: 'run-7', taskToken: 'token', executionId: 'exec-1',
  requestedAt: '2026-11-20T03:00:00Z', expiresAt: '2026-11-23T03:00:00Z', status: 'PENDING', metric: 'rmse', metricValue: 0.4,
  championVersion: 6, championValue: 0.5, reason: 'rmse 0.4 beats 0.5',
};

describe('the hint renderer', () => {
  test('the command table and the implemented commands are the same set', () => {
    expect(COMMANDS.map((c) => c.name)).toEqual(Object.keys(COMMAND_TABLE));
  });

  test('renders from the command table and refuses what the CLI refuses', () => {
    expect(mlopsCommand('approve', ['demand-forecast', '7'], { category: 'books', reason: '<why>' })).toBe('mlops approve demand-forecast 7 --category books --reason "<why>"');
    expect(mlopsCommand('promote', ['m', '3'], { category: 'c', reason: 'best "rmse" $1' })).toBe('mlops promote m 3 --category c --reason "best \\"rmse\\" \\$1"');
    expect(mlopsCommand('promote', ['m', '3'], { reason: '--json' })).toBe('mlops promote m 3 --reason=--json');
    fc.assert(fc.property(fc.string({ minLength: 1, unit: 'binary' }), fc.string({ minLength: 1, unit: 'binary' }), (category, reason) => {
      // Whatever a user typed, the rendered command reads back to the same values.
      const argv = splitCommandLine(mlopsCommand('promote', ['m', '3'], { category, reason })).slice(1);
      expect(parseCommandLine(argv).args.flags).toEqual({ category, reason });
    }));
    expect(() => mlopsCommand('train', ['m'], { trigger: 'drift' })).toThrow(/unknown option --trigger/);
    expect(() => mlopsCommand('runs', [], { status: 'FAILED' })).toThrow(/missing <model>/);
    expect(() => mlopsCommand('reject', ['m', '3'])).toThrow(/--reason is required/);
  });
});

describe('every hint the platform prints parses with the CLI parser', () => {
  test('the pipeline e-mails', () => {
    const mails = [
      approvalMessage(APPROVAL),
      summaryMessage({ model: 'demand-forecast', executionDate: '2026-11-20', executionId: 'exec-1', status: 'FAILED', outcomes: [], failed: 1, tolerated: 0 }),
      abortedMessage({ model: 'demand-forecast', executionId: 'exec-1', error: 'DataValidationFailed', cause: 'no rows' }),
    ];
    const hints = mails.flatMap((m, i) => hintsIn(m.message, `e-mail ${i}`));
    expect(hints.map((h) => h.text)).toEqual(expect.arrayContaining([
      'mlops approve demand-forecast 7 --category books --reason "<why>"',
      'mlops reject demand-forecast 7 --category books --reason "<why>"',
      'mlops runs demand-forecast --status FAILED',
    ]));
    expect(hints.map(refusal).filter(Boolean)).toEqual([]);
  });

  test('the alarm descriptions (runbooks) of a synthesized platform', () => {
    const app = testApp();
    const stack = new MlopsPlatformStack(app, 'Hints', { models: loadModelSpecs(join(ROOT, 'models')) });
    const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string; Properties?: { AlarmDescription?: unknown } }> };
    const descriptions = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && typeof r.Properties?.AlarmDescription === 'string')
      .map((r) => r.Properties!.AlarmDescription as string);
    const hints = descriptions.flatMap((d) => hintsIn(d, `alarm "${d.slice(0, 60)}..."`));
    expect(hints.length).toBeGreaterThanOrEqual(4);
    expect(hints.map((h) => h.text)).toContain('mlops runs demand-forecast --status FAILED');
    expect(hints.map(refusal).filter(Boolean)).toEqual([]);
  });

  test('string literals in the sources (error fixes, CLI output, spec field descriptions)', () => {
    const sources = ['cli', 'lib', 'lambda', 'server', 'local'].flatMap((d) => files(join(ROOT, d), '.ts'));
    const hints = sources.flatMap((f) => stringsOf(f).flatMap((s) => hintsIn(s.text, `${relative(ROOT, f)}:${s.line}`)));
    expect(hints.length).toBeGreaterThan(0);
    expect(hints.map(refusal).filter(Boolean)).toEqual([]);
  });

  test('the docs and the README', () => {
    const docs = [join(ROOT, 'README.md'), ...files(join(ROOT, 'docs'), '.md'), ...files(join(ROOT, 'lib'), '.md'), ...files(join(ROOT, 'models'), '.md')];
    const hints = docs.flatMap((f) => hintsIn(readFileSync(f, 'utf8'), relative(ROOT, f)));
    expect(hints.length).toBeGreaterThan(10);
    expect(hints.map(refusal).filter(Boolean)).toEqual([]);
  });
});
