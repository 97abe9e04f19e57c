// The state of `mlops local up`: a folder (default .mlops-local/ in the working directory,
// git-ignored) holding the synthesized assembly and state.json with the emulators' endpoints,
// the processes to stop on `mlops local down`, and the environment `mlops --local` uses.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Overrides the folder of the local state. */
export const LOCAL_DIR_ENV = 'MLOPS_LOCAL_DIR';
export const DEFAULT_LOCAL_DIR = '.mlops-local';

export interface LocalState {
  /** Folder of the models' specs the assembly was synthesized from. */
  readonly modelsDir: string;
  readonly endpoints: { readonly dynamodb: string; readonly s3: string };
  /** The process holding the emulators (`mlops local down` stops it). */
  readonly daemonPid: number;
  /** Environment of the `mlops` CLI against this platform (what --local sets). */
  readonly cliEnv: Record<string, string>;
  /** The prediction server of `mlops local serve`, when running. */
  readonly server?: { readonly pid: number; readonly url: string; readonly model: string };
}

export function localDir(cwd: string, env: Record<string, string | undefined>): string {
  return resolve(cwd, env[LOCAL_DIR_ENV] ?? DEFAULT_LOCAL_DIR);
}

export const stateFile = (dir: string) => join(dir, 'state.json');
export const assemblyDir = (dir: string) => join(dir, 'cdk.out');

export function readLocalState(dir: string): LocalState | undefined {
  return existsSync(stateFile(dir)) ? JSON.parse(readFileSync(stateFile(dir), 'utf8')) as LocalState : undefined;
}

export function writeLocalState(dir: string, state: LocalState): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`);
}

/** True while a process with this id exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
