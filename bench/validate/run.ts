// How long `mlops validate` takes, as a data scientist runs it: the compiled CLI in a fresh Node
// process, on the repository's models, the weekly/daily fixture and 20 generated specs. A report
// (stdout), not a test: timings depend on the machine and its load (printed with them).
// Run after `npm run build`: node dist/bench/validate/run.js
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'mlops.js');
const RUNS = 5;

function measure(label: string, modelsDir: string): void {
  const wall: number[] = [];
  const cpu: number[] = [];
  let code: number | null = null;
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [CLI, 'validate', '--models-dir', modelsDir], { encoding: 'utf8' });
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    code = r.status;
    // A child's CPU time is not in our own usage: /usr/bin/time reports it.
    const t = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, CLI, 'validate', '--models-dir', modelsDir], { encoding: 'utf8' });
    const [user, sys] = t.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    cpu.push((user + sys) * 1000);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`| ${label} | ${Math.round(median(wall))} ms | ${Math.round(median(cpu))} ms | ${code} |`);
}

const many = mkdtempSync(join(tmpdir(), 'mlops-bench-validate-'));
try {
  for (let i = 0; i < 20; i++) cpSync(join(ROOT, 'test', 'fixtures', 'weekly-daily', 'churn-risk'), join(many, `model-${String(i).padStart(2, '0')}`), { recursive: true });
  console.log(`mlops validate, median of ${RUNS} runs each, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| models | wall | CPU (user + sys) | exit |\n|---|---|---|---|');
  measure('models/ (the example)', join(ROOT, 'models'));
  measure('test/fixtures/weekly-daily', join(ROOT, 'test', 'fixtures', 'weekly-daily'));
  measure('20 copies of the fixture', many);
} finally {
  rmSync(many, { recursive: true, force: true });
}
