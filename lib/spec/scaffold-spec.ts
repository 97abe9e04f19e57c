// The spec `mlops new` writes: every field of the declaration (via its JSON Schema) with its
// reference default written out and its description as a comment, so a new model starts from
// what the platform would do anyway and a data scientist sees every knob. Fields without a
// default are commented out, unless the scaffold gives them a value (`values`).
import { JsonSchema } from './fields';
import { generateSpecSchema } from './spec-schema';

/** Blocks whose presence turns a feature on: the scaffold shows them commented out, even when every field has a default. */
const OPT_IN_BLOCKS = new Set(['inference.async']);

/** Values for fields without a default (dotted path -> value), e.g. `{ 'evaluation.metric': 'rmse' }`. */
export type ScaffoldValues = Readonly<Record<string, unknown>>;

/** The YAML text of a spec with every default written out and `values` filled in. */
export function scaffoldSpec(values: ScaffoldValues, schemaPath = '../../schema/model-spec.schema.json'): string {
  const schema = generateSpecSchema();
  const lines = [`# yaml-language-server: $schema=${schemaPath}`, `# ${schema.description}`, '# Every field below is at its default unless noted; remove what you do not change, or keep it as a record.'];
  writeProperties(schema, '', 0, values, lines);
  return `${lines.join('\n')}\n`;
}

function writeProperties(node: JsonSchema, path: string, depth: number, values: ScaffoldValues, lines: string[]): void {
  const properties = (node.properties ?? {}) as Record<string, JsonSchema>;
  for (const [key, child] of Object.entries(properties)) {
    if (key.startsWith('$')) continue;
    const at = path ? `${path}.${key}` : key;
    const indent = '  '.repeat(depth);
    const note = comment(child);
    if (Object.hasOwn(values, at)) {
      lines.push(`${indent}${key}: ${flow(values[at])}${note}`);
    } else if (child.type === 'object' && child.properties && !OPT_IN_BLOCKS.has(at) && buildable(child, at, values)) {
      lines.push(`${indent}${key}:${note}`);
      writeProperties(child, at, depth + 1, values, lines);
    } else if (child.default !== undefined) {
      lines.push(`${indent}${key}: ${flow(child.default)}${note}`);
    } else {
      lines.push(`${indent}# ${key}:${note}`);
    }
  }
}

/** Whether every required property of an object has a default or a scaffold value. */
function buildable(node: JsonSchema, path: string, values: ScaffoldValues): boolean {
  const properties = node.properties as Record<string, JsonSchema>;
  return ((node.required ?? []) as string[]).every((k) => properties[k]?.default !== undefined || Object.hasOwn(values, `${path}.${k}`));
}

/** JSON is YAML's flow style: strings quoted, lists and maps on one line. */
function flow(value: unknown): string {
  return JSON.stringify(value).replace(/,(?=["{[\d-]|true|false|null)/g, ', ').replace(/":/g, '": ');
}

function comment(node: JsonSchema): string {
  const text = String(node.description ?? '').replace(/\s+/g, ' ');
  const first = /^(.*?\.)(\s|$)/.exec(text)?.[1] ?? text;
  return first ? `  # ${first.length > 110 ? `${first.slice(0, 107)}...` : first}` : '';
}
