// The stateful resources of the synthesized templates, created in the emulators under local
// names: DynamoDB tables with the template's keys, indexes and TTL; S3 buckets; and the values of
// the platform's SSM parameters, which model stacks read through `AWS::SSM::Parameter::Value`
// template parameters. A resource's local name is what the ASL resolver gives its Ref (the
// logical id in lower case), so every definition and environment resolves to the same names.
import { CreateTableCommand, CreateTableCommandInput, DynamoDBClient, ResourceInUseException, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ResolveContext, resolveIntrinsics } from '../asl';
import { CfnTemplate, PlatformAssembly, StackTemplate } from './assembly';

/** A table as the template declares it (what DynamoDB Local can hold). */
export interface LocalTable {
  readonly logicalId: string;
  readonly name: string;
  readonly input: CreateTableCommandInput;
  readonly ttlAttribute?: string;
}

/** The local name of a table or bucket: its Ref as the ASL resolver answers it. */
export function localName(template: CfnTemplate, logicalId: string): string {
  return String(resolveIntrinsics({ Ref: logicalId }, { resources: template.Resources }));
}

/** The tables of a template (keys, attribute types, global secondary indexes, TTL). */
export function tablesOf(template: CfnTemplate): LocalTable[] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table').map(([logicalId, r]) => {
    const p = r.Properties ?? {};
    const name = typeof p.TableName === 'string' ? p.TableName : localName(template, logicalId);
    const gsis = (p.GlobalSecondaryIndexes ?? []) as Array<{ IndexName: string; KeySchema: unknown; Projection: unknown }>;
    return {
      logicalId,
      name,
      input: {
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: p.KeySchema,
        AttributeDefinitions: p.AttributeDefinitions,
        ...(gsis.length ? { GlobalSecondaryIndexes: gsis.map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection })) } : {}),
      } as CreateTableCommandInput,
      ttlAttribute: p.TimeToLiveSpecification?.Enabled ? p.TimeToLiveSpecification.AttributeName as string : undefined,
    };
  });
}

/** The buckets of a template, by local name. */
export function bucketsOf(template: CfnTemplate): string[] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::S3::Bucket')
    .map(([id, r]) => (typeof r.Properties?.BucketName === 'string' ? r.Properties.BucketName : localName(template, id)));
}

/** The SSM parameters a stack publishes: name -> value, with local names in the values. */
export function parametersOf(stack: StackTemplate): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of Object.values(stack.template.Resources)) {
    if (r.Type !== 'AWS::SSM::Parameter' || typeof r.Properties?.Name !== 'string') continue;
    out[r.Properties.Name] = String(resolveIntrinsics(r.Properties.Value, { resources: stack.template.Resources }));
  }
  return out;
}

/**
 * How a stack's intrinsics resolve locally: its SSM-typed template parameters read the
 * platform's parameters (as CloudFormation would at deploy).
 */
export function resolveContextOf(stack: StackTemplate, parameters: Record<string, string>): ResolveContext {
  const refs: Record<string, string> = {};
  for (const [id, p] of Object.entries(stack.template.Parameters ?? {})) {
    if (p.Type.startsWith('AWS::SSM::Parameter::Value') && p.Default !== undefined && parameters[p.Default] !== undefined) refs[id] = parameters[p.Default];
  }
  return { resources: stack.template.Resources, refs };
}

/** Creates every table and bucket of the assembly in the emulators (existing ones are kept). */
export async function createResources(assembly: PlatformAssembly, clients: { dynamodb: DynamoDBClient; s3: S3Client }): Promise<{ tables: LocalTable[]; buckets: string[] }> {
  const stacks = [assembly.platformStack, ...new Set(Object.values(assembly.models))];
  const tables = stacks.flatMap((s) => tablesOf(s.template));
  const buckets = [...new Set(stacks.flatMap((s) => bucketsOf(s.template)))];
  for (const t of tables) {
    try {
      await clients.dynamodb.send(new CreateTableCommand(t.input));
    } catch (e) {
      if (!(e instanceof ResourceInUseException)) throw e;
      continue;
    }
    if (t.ttlAttribute) await clients.dynamodb.send(new UpdateTimeToLiveCommand({ TableName: t.name, TimeToLiveSpecification: { AttributeName: t.ttlAttribute, Enabled: true } }));
  }
  for (const b of buckets) {
    try {
      await clients.s3.send(new CreateBucketCommand({ Bucket: b }));
    } catch (e) {
      if (!/BucketAlreadyOwnedByYou|BucketAlreadyExists/.test((e as Error).name)) throw e;
    }
  }
  return { tables, buckets };
}
