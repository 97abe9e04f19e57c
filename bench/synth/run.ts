// `npm run bench:synth`: how synth scales with the number of models (issue 10 §3). Synthesizes
// the default app (models/) and apps with 1, 10 and 50 copies of the example model
// (bench/synth/model-copies.ts), each as `cdk synth` runs it (`node dist/bin/app.js`, cdk-nag
// included) in a fresh process, and reports wall time, CPU time, peak memory (the app's max RSS)
// and template sizes; then the default app through the CDK CLI with nothing changed (build hook
// skipped). Targets: 10 models at most 2.5x the time of 1 model; 50 models complete under 2 GiB.
// The machine is shared: the 1- and 10-model apps run in alternating rounds and the fastest
// round of each counts (load only ever adds time); CPU time is reported as the load-free figure.
// Writes bench-results/synth-report.md and .json; exits 2 when a target is missed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { writeModelCopies } from './model-copies';

const ROOT = join(__dirname, '..', '..', '..');
const APP = join(ROOT, 'dist', 'bin', 'app.js');
const REPEAT = Number(process.env.BENCH_SYNTH_REPEAT ?? 3);
const TARGETS = { ratio10to1: 2.5, peakMemoryMiB50: 2048 };

interface Run {
  readonly label: string;
  readonly models: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
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
    const usage = JSON.parse(readFileSync(rssFile, 'utf8')) as { maxRSS: number; cpuMicros: number };
    const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
    const sizes = templates.map((f) => statSync(join(outdir, f)).size);
    const resources = templates.map((f) => Object.keys(JSON.parse(readFileSync(join(outdir, f), 'utf8')).Resources ?? {}).length);
    return {
      label, models, wallSeconds,
      cpuSeconds: usage.cpuMicros / 1e6,
      peakMemoryMiB: usage.maxRSS / 1024,
      stacks: templates.length,
      templateKiB: sizes.reduce((a, b) => a + b, 0) / 1024,
      largestTemplateKiB: Math.max(...sizes) / 1024,
      mostResources: Math.max(...resources),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The fastest of each case over REPEAT alternating rounds (a shared machine only ever adds time). */
function rounds(cases: Array<{ label: string; dir?: string; models: number }>): Run[] {
  const all = Array.from({ length: REPEAT }, () => cases.map((c) => synth(c.label, c.dir, c.models)));
  return cases.map((c, i) => {
    const runs = all.map((round) => round[i]);
    process.stderr.write(`${c.label}: ${runs.map((r) => `${r.wallSeconds.toFixed(1)} s (cpu ${r.cpuSeconds.toFixed(1)} s)`).join(', ')}\n`);
    return runs.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
  });
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
    for (const n of [1, 10, 50]) writeModelCopies(join(work, String(n)), n);
    const runs: Run[] = [
      ...rounds([
        { label: 'default app (models/)', models: readdirSync(join(ROOT, 'models')).length },
        { label: '1 model', dir: join(work, '1'), models: 1 },
        { label: '10 models', dir: join(work, '10'), models: 10 },
      ]),
      synth('50 models', join(work, '50'), 50),
    ];
    const cliSeconds = cliSynth();
    const one = runs.find((r) => r.label === '1 model')!;
    const ten = runs.find((r) => r.label === '10 models')!;
    const fifty = runs.find((r) => r.label === '50 models')!;
    const ratio = ten.wallSeconds / one.wallSeconds;
    const cpuRatio = ten.cpuSeconds / one.cpuSeconds;
    const met = { ratio10to1: ratio <= TARGETS.ratio10to1, peakMemory50: fifty.peakMemoryMiB < TARGETS.peakMemoryMiB50 };
    const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${load.toFixed(1)} at start, node ${process.version}`;
    const rows = runs.map((r) => `| ${r.label} | ${r.stacks} | ${r.wallSeconds.toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${r.peakMemoryMiB.toFixed(0)} | ${r.templateKiB.toFixed(0)} | ${r.largestTemplateKiB.toFixed(0)} | ${r.mostResources} |`);
    const md = [
      '# Synth benchmark (`npm run bench:synth`)', '',
      `Machine: ${machine}. Fastest of ${REPEAT} alternating rounds (50 models: one run).`, '',
      '| app | stacks | wall time (s) | CPU time (s) | peak memory (MiB) | templates (KiB) | largest template (KiB) | most resources in a stack |',
      '|---|---|---|---|---|---|---|---|', ...rows, '',
      `- 10 models / 1 model wall time: **${ratio.toFixed(2)}x** (target <= ${TARGETS.ratio10to1}x): ${met.ratio10to1 ? 'met' : 'MISSED'}; CPU time: ${cpuRatio.toFixed(2)}x`,
      `- 50 models peak memory: **${fifty.peakMemoryMiB.toFixed(0)} MiB** (target < ${TARGETS.peakMemoryMiB50} MiB): ${met.peakMemory50 ? 'met' : 'MISSED'}`,
      `- \`cdk synth\` of the default app through the CLI, nothing changed (build hook skips tsc and esbuild): ${cliSeconds.toFixed(1)} s`, '',
    ].join('\n');
    const out = join(ROOT, 'bench-results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'synth-report.md'), md);
    writeFileSync(join(out, 'synth-report.json'), JSON.stringify({ machine, runs, ratio10to1: ratio, cpuRatio10to1: cpuRatio, cliSeconds, targets: TARGETS, met }, null, 2));
    process.stdout.write(md);
    if (!met.ratio10to1 || !met.peakMemory50) process.exitCode = 2;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
