import { writeFileSync } from 'node:fs';
import { APPS, synthWithAllPacks } from './policy-apps';
test.each(Object.keys(APPS))('%s', (name) => {
  const f = synthWithAllPacks(APPS[name]);
  writeFileSync(`/tmp/h13nag-${name}.json`, JSON.stringify(f, null, 1));
}, 600_000);
