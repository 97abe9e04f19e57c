// `npm run bench:synth`: how synth scales with the number of models (issue 10 §3). Synthesizes
// the default app (models/) and apps with 1, 10 and 50 copies of the example model
// (bench/synth/model-copies.ts), each as `cdk synth` runs it (`node dist/bin/app.js`, cdk-nag
// included) in a fresh process, and reports wall time, peak memory (the app's max RSS) and
// template sizes; then the default app through the CDK CLI with nothing changed (build hook
// skipped). Targets: 10 models at most 2.5x the time of 1 model; 50 models complete under 2 GiB.
// Writes bench-results/synth-report.md and .json; exits 2 when a target is missed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { writeModelCopies } from './model-copies';

const ROOT = join(__dirname, '..', '..', '..');
const APP = join(ROOT, 'dist', 'bin', 'app.js');
const REPEAT = Number(process.env.BENCH_SYNTH_REPEAT ?? 2);
const TARGETS = { ratio10to1: 2.5, peakMemoryMiB50: 2048 };

interface Run {
  readonly label: string;
  readonly models: number;
  readonly wallSeconds: number;
  readonly peakMemoryMiB: number;
  readonly stacks: number;
  readonly templateKiB: number;
  readonly largestTemplateKiB: number;
  readonly mostResources: number;
}

function synth(label: string, modelsDir: string | undefined, models: number): Run {
  const outdir = mkdtempSync(join(tmpdir(), 'mlops-synth-'));
  const rssFile = join(outdir, '.max-rss');
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: outdir, BENCH_RSS_FILE: rssFile };
    if (modelsDir) env.MLOPS_MODELS_DIR = modelsDir;
    else delete env.MLOPS_MODELS_DIR;
    const start = process.hrtime.bigint();
    const child = spawnSync(process.execPath, ['-r', join(ROOT, 'bench', 'synth', 'max-rss.js'), APP], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (child.status !== 0) throw new Error(`${label}: the app exited with ${child.status}\n${child.stderr}`);
    const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
    const sizes = templates.map((f) => statSync(join(outdir, f)).size);
    const resources = templates.map((f) => Object.keys(JSON.parse(readFileSync(join(outdir, f), 'utf8')).Resources ?? {}).length);
    return {
      label, models, wallSeconds,
      peakMemoryMiB: Number(readFileSync(rssFile, 'utf8')) / 1024,
      stacks: templates.length,
      templateKiB: sizes.reduce((a, b) => a + b, 0) / 1024,
      largestTemplateKiB: Math.max(...sizes) / 1024,
      mostResources: Math.max(...resources),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The fastest of REPEAT runs (a shared machine only ever adds time). */
function best(label: string, modelsDir: string | undefined, models: number): Run {
  const runs = Array.from({ length: REPEAT }, () => synth(label, modelsDir, models));
  process.stderr.write(`${label}: ${runs.map((r) => r.wallSeconds.toFixed(1)).join(' s, ')} s\n`);
  return runs.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
}

function cliSynth(): number {
  const start = process.hrtime.bigint();
  execFileSync(join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function main(): void {
  const work = mkdtempSync(join(tmpdir(), 'mlops-models-'));
  const load = loadavg()[0];
  try {
    const runs: Run[] = [best('default app (models/)', undefined, readdirSync(join(ROOT, 'models')).length)];
    for (const n of [1, 10, 50]) {
      const dir = join(work, String(n));
      writeModelCopies(dir, n);
      runs.push(n === 50 ? synth(`${n} models`, dir, n) : best(`${n} model${n > 1 ? 's' : ''}`, dir, n));
    }
    const cliSeconds = cliSynth();
    const one = runs.find((r) => r.label === '1 model')!;
    const ten = runs.find((r) => r.label === '10 models')!;
    const fifty = runs.find((r) => r.label === '50 models')!;
    const ratio = ten.wallSeconds / one.wallSeconds;
    const met = { ratio10to1: ratio <= TARGETS.ratio10to1, peakMemory50: fifty.peakMemoryMiB < TARGETS.peakMemoryMiB50 };
    const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${load.toFixed(1)} at start, node ${process.version}`;
    const rows = runs.map((r) => `| ${r.label} | ${r.stacks} | ${r.wallSeconds.toFixed(1)} | ${r.peakMemoryMiB.toFixed(0)} | ${r.templateKiB.toFixed(0)} | ${r.largestTemplateKiB.toFixed(0)} | ${r.mostResources} |`);
    const md = [
      '# Synth benchmark (`npm run bench:synth`)', '',
      `Machine: ${machine}. Best of ${REPEAT} runs (50 models: one run).`, '',
      '| app | stacks | wall time (s) | peak memory (MiB) | templates (KiB) | largest template (KiB) | most resources in a stack |',
      '|---|---|---|---|---|---|---|', ...rows, '',
      `- 10 models / 1 model wall time: **${ratio.toFixed(2)}x** (target <= ${TARGETS.ratio10to1}x): ${met.ratio10to1 ? 'met' : 'MISSED'}`,
      `- 50 models peak memory: **${fifty.peakMemoryMiB.toFixed(0)} MiB** (target < ${TARGETS.peakMemoryMiB50} MiB): ${met.peakMemory50 ? 'met' : 'MISSED'}`,
      `- \`cdk synth\` of the default app through the CLI, nothing changed (build hook skips tsc and esbuild): ${cliSeconds.toFixed(1)} s`, '',
    ].join('\n');
    const out = join(ROOT, 'bench-results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'synth-report.md'), md);
    writeFileSync(join(out, 'synth-report.json'), JSON.stringify({ machine, runs, ratio10to1: ratio, cliSeconds, targets: TARGETS, met }, null, 2));
    process.stdout.write(md);
    if (!met.ratio10to1 || !met.peakMemory50) process.exitCode = 2;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
