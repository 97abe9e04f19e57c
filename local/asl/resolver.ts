// A small CloudFormation intrinsic resolver: enough to turn a synthesized state machine
// DefinitionString (Fn::Join of strings, Ref, Fn::GetAtt, Fn::Sub) into plain JSON. Unknown
// references resolve to stable placeholder ARNs, since local runs never call them.

export interface ResolveContext {
  /** The template's Resources (types are used to shape placeholder ARNs). */
  readonly resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
  /** Values of `Ref` by logical id (or pseudo parameter), overriding the placeholders. */
  readonly refs?: Record<string, string>;
  /** Values of `Fn::GetAtt` by "LogicalId.Attribute", overriding the placeholders. */
  readonly attributes?: Record<string, string>;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly account?: string;
}

const SERVICE_BY_TYPE: Record<string, (id: string, region: string, account: string) => string> = {
  'AWS::Lambda::Function': (id, r, a) => `arn:aws:lambda:${r}:${a}:function:${id}`,
  'AWS::StepFunctions::StateMachine': (id, r, a) => `arn:aws:states:${r}:${a}:stateMachine:${id}`,
  'AWS::SNS::Topic': (id, r, a) => `arn:aws:sns:${r}:${a}:${id}`,
  'AWS::SQS::Queue': (id, r, a) => `arn:aws:sqs:${r}:${a}:${id}`,
  'AWS::DynamoDB::Table': (id, r, a) => `arn:aws:dynamodb:${r}:${a}:table/${id}`,
  'AWS::S3::Bucket': (id) => `arn:aws:s3:::${id.toLowerCase()}`,
  'AWS::IAM::Role': (id, _r, a) => `arn:aws:iam::${a}:role/${id}`,
  'AWS::KMS::Key': (id, r, a) => `arn:aws:kms:${r}:${a}:key/${id}`,
  'AWS::Batch::JobQueue': (id, r, a) => `arn:aws:batch:${r}:${a}:job-queue/${id}`,
  'AWS::Batch::JobDefinition': (id, r, a) => `arn:aws:batch:${r}:${a}:job-definition/${id}:1`,
};

/** Resolves intrinsics in any JSON value (returns a new value). */
export function resolveIntrinsics(value: unknown, ctx: ResolveContext = {}): unknown {
  const region = ctx.region ?? 'us-east-1';
  const account = ctx.account ?? '123456789012';
  const pseudo: Record<string, string> = {
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'LocalStack',
    'AWS::StackId': `arn:aws:cloudformation:${region}:${account}:stack/LocalStack/local`,
    'AWS::NoValue': '',
  };
  const arnOf = (id: string): string => {
    const type = ctx.resources?.[id]?.Type ?? '';
    const make = SERVICE_BY_TYPE[type];
    return make ? make(id, region, account) : `arn:aws:local:${region}:${account}:${id}`;
  };
  const ref = (id: string): string => {
    if (ctx.refs?.[id] !== undefined) return ctx.refs[id];
    if (pseudo[id] !== undefined) return pseudo[id];
    const type = ctx.resources?.[id]?.Type ?? '';
    // Ref returns a name for these types, an ARN for most others.
    if (/::(Function|Bucket|Table|Queue|Role|LogGroup|JobDefinition)$/.test(type)) {
      return type === 'AWS::Batch::JobDefinition' || type === 'AWS::SQS::Queue' ? arnOf(id) : id.toLowerCase();
    }
    return arnOf(id);
  };
  const getAtt = (id: string, attr: string): string => {
    const override = ctx.attributes?.[`${id}.${attr}`];
    if (override !== undefined) return override;
    if (attr === 'Arn' || attr.endsWith('Arn')) return arnOf(id);
    if (attr === 'Name' || attr.endsWith('Name')) return id.toLowerCase();
    return `${id}.${attr}`;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const [k] = keys;
      const arg = o[k];
      switch (k) {
        case 'Ref': return ref(String(arg));
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? arg as string[] : String(arg).split('.');
          return getAtt(id, attr);
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown[]];
          return (walk(parts) as unknown[]).map(String).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [number | string, unknown];
          return (walk(list) as unknown[])[Number(index)];
        }
        case 'Fn::Split': {
          const [sep, str] = arg as [string, unknown];
          return String(walk(str)).split(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg) ? arg as [string, Record<string, unknown>] : [String(arg), {}];
          const resolvedVars = walk(vars) as Record<string, unknown>;
          return text.replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
            if (resolvedVars[name] !== undefined) return String(resolvedVars[name]);
            const [id, attr] = name.split('.');
            return attr ? getAtt(id, attr) : ref(id);
          });
        }
        default: break;
      }
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = walk(o[k]);
    return out;
  };
  return walk(value);
}
