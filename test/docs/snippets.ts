// Keeps the code on docs/platform-team.md identical to the code these tests compile and run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PAGE = join(__dirname, '..', '..', 'docs', 'platform-team.md');

/**
 * The ```ts block that follows `<!-- snippet: <name> -->` on the page. Throws when the marker or
 * the block is missing, so a renamed or deleted snippet fails its test.
 */
export function pageSnippet(name: string, page = readFileSync(PAGE, 'utf8')): string {
  const marker = `<!-- snippet: ${name} -->`;
  const at = page.indexOf(marker);
  if (at < 0) throw new Error(`${PAGE} has no "${marker}" marker: put it on the line before the tested code block`);
  const block = /^```ts\n([\s\S]*?)^```$/m.exec(page.slice(at + marker.length));
  if (!block) throw new Error(`${PAGE}: no \`\`\`ts block after "${marker}"`);
  return block[1];
}

/**
 * The lines between `// #region <name>` and `// #endregion <name>` of a test file, with the
 * repository's `../../lib` import written as the package name readers install.
 */
export function testedRegion(source: string, name: string): string {
  const region = new RegExp(`^// #region ${name}\\n([\\s\\S]*?)^// #endregion ${name}$`, 'm').exec(source);
  if (!region) throw new Error(`no "// #region ${name}" ... "// #endregion ${name}" in the test file`);
  return region[1].replace(/from '\.\.\/\.\.\/lib'/g, "from 'cdk-mlops'");
}
