// Human-friendly durations ("3d", "500ms", "1h30m") and sizes ("30GiB", "512MiB") used in model
// specs. Parsers return undefined on bad input so the validator can report every problem at once.

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** One or more `<number><unit>` parts, largest first is not required: `1h30m`, `90s`, `1.5d`. */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d|w))+$';
const DURATION_PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d|w)/g;

/** Milliseconds of a human duration such as `3d`, `500ms` or `1h30m`; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (typeof text !== 'string' || !new RegExp(DURATION_PATTERN).test(text.trim())) return undefined;
  let total = 0;
  for (const m of text.trim().matchAll(DURATION_PART)) total += Number(m[1]) * DURATION_UNITS[m[2]];
  return Math.round(total);
}

/** A compact human form of milliseconds: 259200000 -> "3d", 5400000 -> "1h30m", 250 -> "250ms". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12,
  KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40,
};

/** A number and a unit: `30GiB`, `512MiB`, `1.5TB`, `100B`. */
export const SIZE_PATTERN = '^[0-9]+(\\.[0-9]+)?\\s?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$';

/** Bytes of a human size such as `30GiB`; undefined when it is not one. */
export function parseSize(text: string): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = new RegExp(SIZE_PATTERN).exec(text.trim());
  if (!m) return undefined;
  const unit = text.trim().replace(/^[0-9.\s]+/, '');
  return Math.round(parseFloat(text) * SIZE_UNITS[unit]);
}
