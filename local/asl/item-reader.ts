// The local interpreter has no ItemReader (Distributed Map reading S3): a listing Task put in
// front of the Map reads what the reader would, and the Map iterates over it.
import type { AslDefinition } from './runner';

/** Name of the listing Task that stands in for a Map's ItemReader. */
export const listedState = (map: string): string => `${map}ListObjects`;

/**
 * The same definition with each ItemReader replaced by a listing Task (`listedState(map)`,
 * resource s3:listObjectsV2, answering `{ Contents }`) that feeds ItemsPath: the Map then runs
 * over exactly the objects the reader would list.
 */
export function withListedItems(def: AslDefinition): AslDefinition {
  const copy = JSON.parse(JSON.stringify(def)) as AslDefinition;
  const rewrite = (d: AslDefinition) => {
    for (const [name, state] of Object.entries(d.States)) {
      const nested = state.ItemProcessor as AslDefinition | undefined;
      if (nested) rewrite(nested);
      const reader = state.ItemReader as { Parameters: unknown } | undefined;
      if (!reader) continue;
      const listing = listedState(name);
      const retarget = (v: unknown): unknown => (v === name ? listing : v);
      if (d.StartAt === name) d.StartAt = listing;
      for (const other of Object.values(d.States)) {
        other.Next = retarget(other.Next);
        other.Default = retarget(other.Default);
        for (const c of [...(other.Choices ?? []) as Array<{ Next: unknown }>, ...(other.Catch ?? []) as Array<{ Next: unknown }>]) c.Next = retarget(c.Next);
      }
      d.States[listing] = { Type: 'Task', Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: reader.Parameters, ResultSelector: { 'items.$': '$.Contents' }, ResultPath: '$.listed', Next: name };
      delete state.ItemReader;
      state.ItemsPath = '$.listed.items';
    }
  };
  rewrite(copy);
  return copy;
}
