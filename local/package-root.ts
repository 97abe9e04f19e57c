// Where the package is: from the sources, their compiled copy in dist/, or an installed package.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder holding package.json above this file. Called lazily: the CLI loads this module for every command. */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
