// Evaluates the Condition block of an IAM policy statement against a request's context keys,
// the way IAM does for the operators the platform uses: Bool, StringEquals, ArnEquals, Null,
// and the ForAllValues: / ForAnyValue: set qualifiers. An absent key fails every operator but
// Null (and ForAllValues, which IAM treats as vacuously true: why Null must go with it).

/** Request context: a key's value(s), or undefined when the request does not carry it. */
export type RequestContext = Record<string, string | string[] | undefined>;

const list = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map(String);

function matches(operator: string, actual: string, expected: string[]): boolean {
  switch (operator) {
    case 'Bool': return expected.some((e) => e.toLowerCase() === actual.toLowerCase());
    case 'StringEquals':
    case 'ArnEquals': return expected.includes(actual);
    default: throw new Error(`condition operator ${operator} is not supported by this evaluator: add it`);
  }
}

/** The keys whose condition fails (empty when the request is allowed by the conditions). */
export function failedConditions(conditions: Record<string, Record<string, unknown>> | undefined, context: RequestContext): string[] {
  const failed: string[] = [];
  for (const [qualified, entries] of Object.entries(conditions ?? {})) {
    const [qualifier, operator] = qualified.includes(':') ? qualified.split(':') : [undefined, qualified];
    for (const [key, expectedRaw] of Object.entries(entries)) {
      const expected = list(expectedRaw);
      const actual = context[key];
      let ok: boolean;
      if (operator === 'Null') ok = (actual === undefined) === (expected[0] === 'true');
      else if (actual === undefined) ok = qualifier === 'ForAllValues';
      else if (qualifier === 'ForAllValues') ok = list(actual).every((a) => matches(operator, a, expected));
      else if (qualifier === 'ForAnyValue') ok = list(actual).some((a) => matches(operator, a, expected));
      else ok = !Array.isArray(actual) && matches(operator, actual, expected);
      if (!ok) failed.push(`${qualified} ${key}`);
    }
  }
  return failed;
}

/** The sagemaker:* request keys of a CreateTrainingJob request (API field names). */
export function createTrainingJobContext(request: Record<string, any>): RequestContext { // eslint-disable-line @typescript-eslint/no-explicit-any
  const str = (v: unknown) => (v === undefined ? undefined : String(v));
  return {
    'sagemaker:NetworkIsolation': str(request.EnableNetworkIsolation),
    'sagemaker:InterContainerTrafficEncryption': str(request.EnableInterContainerTrafficEncryption),
    'sagemaker:VolumeKmsKey': request.ResourceConfig?.VolumeKmsKeyId,
    'sagemaker:OutputKmsKey': request.OutputDataConfig?.KmsKeyId,
    'sagemaker:VpcSubnets': request.VpcConfig?.Subnets,
    'sagemaker:VpcSecurityGroupIds': request.VpcConfig?.SecurityGroupIds,
    'sagemaker:InstanceTypes': request.ResourceConfig ? [request.ResourceConfig.InstanceType] : undefined,
  };
}

/** ASL Parameters with every `"Key.$": path` replaced by `"Key": <value of path in input>` (simple `$.a.b` paths). */
export function applyParameters(parameters: unknown, input: Record<string, unknown>): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (Array.isArray(parameters)) return parameters.map((p) => applyParameters(p, input));
  if (!parameters || typeof parameters !== 'object') return parameters;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parameters)) {
    if (k.endsWith('.$') && typeof v === 'string' && /^\$\.[\w.]+$/.test(v)) {
      out[k.slice(0, -2)] = v.slice(2).split('.').reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], input);
    } else if (k.endsWith('.$')) {
      out[k.slice(0, -2)] = `<${v}>`; // intrinsic functions: not a condition key, any value will do
    } else {
      out[k] = applyParameters(v, input);
    }
  }
  return out;
}
