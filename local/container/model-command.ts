// The model's own command for a mode of the container contract, run outside its image: a spec's
// `training.command` as written (Batch specs), else the mode's script next to the Dockerfile, the
// file the image's ENTRYPOINT runs for that mode (`train.py`, `score.py`; see models/*/Dockerfile).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ModelSpec } from '../../lib/spec/model-spec';

export interface ModelCommand {
  readonly command: string[];
  /** Folder the command runs in (the image's code folder). */
  readonly cwd: string;
}

/** The image's code folder (WORKDIR of models/<name>/Dockerfile), where commands in a spec point. */
export const IMAGE_CODE_DIR = '/opt/program';

/** A command written for the image (`[python3, /opt/program/generate_data.py]`) with the image's code folder mapped to the model's folder. */
export function localImageCommand(spec: ModelSpec, command: readonly string[]): ModelCommand {
  const dir = codeDirectory(spec);
  return { command: command.map((a) => (a === IMAGE_CODE_DIR || a.startsWith(`${IMAGE_CODE_DIR}/`) ? join(dir, a.slice(IMAGE_CODE_DIR.length)) : a)), cwd: dir };
}

function codeDirectory(spec: ModelSpec): string {
  const dir = spec.training.imageDirectory;
  if (!dir) {
    throw new Error(`model "${spec.name}": training.image is ${spec.training.imageUri}, an image local mode cannot run without Docker; set training.image to the folder of its Dockerfile (e.g. ".") to run its code locally`);
  }
  return dir;
}

export function modelCommand(spec: ModelSpec, mode: 'train' | 'score'): ModelCommand {
  const dir = codeDirectory(spec);
  if (mode === 'train' && spec.training.command.length > 0) return { command: [...spec.training.command], cwd: dir };
  const script = join(dir, `${mode}.py`);
  if (!existsSync(script)) {
    throw new Error(`model "${spec.name}": local mode runs ${script} for MLOPS_MODE=${mode} (what the image's entrypoint runs), but it does not exist; add it${mode === 'train' ? ', or set training.command' : ''}`);
  }
  return { command: ['python3', '-B', script], cwd: dir };
}
