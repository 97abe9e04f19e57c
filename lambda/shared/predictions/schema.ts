// Key design of the predictions table, shared by the loader (writes), the predict core (reads),
// the PredictionStore construct and tests, so the three can never drift apart.
//
// One item per (model, category, version, entity). The version is part of the key so that a
// promotion or a rollback switches the served predictions at once, with no redeploy and no
// reload: the servers resolve the production version from the registry and read that
// version's items. Predictions of the previous version stay readable until their TTL, which
// is what makes a rollback within the RPO instant.

/** Key schema and TTL attribute of the predictions table. */
export const PREDICTIONS_SCHEMA = {
  partitionKey: 'pk',
  ttlAttribute: 'expiresAt',
} as const;

/** Default time predictions stay valid: the reference RPO of 3 days. */
export const DEFAULT_PREDICTION_TTL_HOURS = 72;

/** The partition key of one prediction. The entity id comes last, so it may contain '#'. */
export function predictionKey(model: string, category: string, version: number, entityId: string): string {
  return `${model}#${category}#${version}#${entityId}`;
}

/** A prediction as stored in the table. */
export interface StoredPrediction {
  readonly pk: string;
  readonly model: string;
  readonly category: string;
  readonly version: number;
  readonly entityId: string;
  /** The model's output for the entity, any JSON value. */
  readonly prediction: unknown;
  /** ISO-8601 time the batch was generated. */
  readonly generatedAt: string;
  /** Epoch seconds after which the prediction is invalid (DynamoDB TTL attribute). */
  readonly expiresAt: number;
}
