import { rmSync } from 'node:fs';
import { SYNTH_CACHE_ENV } from './synth-cache-env';

export default async function globalTeardown(): Promise<void> {
  await Promise.all((globalThis.__MLOPS_EMULATORS__ ?? []).map((e) => e.stop()));
  const cache = process.env[SYNTH_CACHE_ENV];
  if (cache) rmSync(cache, { recursive: true, force: true });
}
