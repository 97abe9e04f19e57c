import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pageSnippet, testedRegion } from './snippets';

test('the snapshot example of docs/platform-team.md is the code of test/platform/platform-snapshot.test.ts', () => {
  const source = readFileSync(join(__dirname, '..', 'platform', 'platform-snapshot.test.ts'), 'utf8');
  expect(pageSnippet('snapshot')).toEqual(testedRegion(source, 'snapshot'));
});
