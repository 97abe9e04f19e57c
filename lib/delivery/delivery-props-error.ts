/**
 * A delivery prop (or the environment of a pipeline synth) the user fixes: the message names the
 * field, the value and the fix, one problem a line. Apps report it without a stack trace.
 */
export class DeliveryPropsError extends Error {
  constructor(problems: string[], construct = 'MlopsDeliveryPipeline') {
    super(`${construct}: ${problems.join('\n')}`);
    this.name = 'DeliveryPropsError';
  }
}
