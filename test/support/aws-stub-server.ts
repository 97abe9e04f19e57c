// A small HTTP server on loopback that answers the real AWS SDK clients the way SageMaker,
// AWS Batch, CloudWatch Logs and Step Functions do, over their own wire protocols (JSON 1.1 /
// 1.0 with X-Amz-Target, and Batch's REST JSON), for the operations the platform uses to
// explain, follow and stop training jobs, and to shift a real-time endpoint to a promoted version. State is plain data that tests fill in and read back;
// every call is recorded. Point a client at it with `{ endpoint: stub.url }`.
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** An error as the service sends it: its type name, HTTP status and message. */
export class StubError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) { super(message); }
}

export interface StubLogEvent { readonly timestamp: number; readonly message: string }

/** A recorded call: service (target prefix or "batch"), operation and the request body. */
export interface StubCall { readonly service: string; readonly operation: string; readonly input: Record<string, any> }

/** A Step Functions execution: its description (status...) and its history events, as the API returns them. */
export interface StubExecution {
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly stateMachineArn: string;
  readonly name: string;
  readonly startDate: number;
  stopDate?: number;
  error?: string;
  cause?: string;
  readonly history: Array<Record<string, unknown>>;
}

type Operation = (input: Record<string, any>) => unknown;

const epochSeconds = (ms: number) => ms / 1000;
const BATCH_ENDED = ['SUCCEEDED', 'FAILED'];

export class AwsStub {
  /** SageMaker training jobs by name, as DescribeTrainingJob returns them (times in epoch seconds). */
  readonly trainingJobs = new Map<string, Record<string, any>>();
  /** Batch jobs by id, as DescribeJobs returns them (times in epoch milliseconds). */
  readonly batchJobs = new Map<string, Record<string, any>>();
  /** CloudWatch Logs: group -> stream -> events (oldest first). */
  readonly logGroups = new Map<string, Map<string, StubLogEvent[]>>();
  /** Step Functions executions by ARN. */
  readonly executions = new Map<string, StubExecution>();
  readonly calls: StubCall[] = [];
  /** SageMaker models and endpoint configs by name, as created (the request bodies). */
  readonly sageMakerModels = new Map<string, Record<string, any>>();
  readonly endpointConfigs = new Map<string, Record<string, any>>();
  /** SageMaker endpoints by name, as DescribeEndpoint returns them; an update stays Updating until `endEndpointUpdate`. */
  readonly endpoints = new Map<string, Record<string, any>>();
  /** Application Auto Scaling: scalable targets by resource id; policies and scheduled actions by `<resource id>/<name>` (the requests). */
  readonly scalableTargets = new Map<string, Record<string, any>>();
  readonly scalingPolicies = new Map<string, Record<string, any>>();
  readonly scheduledActions = new Map<string, Record<string, any>>();

  private constructor(private readonly server: Server, readonly url: string) {}

  /** Starts a stub on 127.0.0.1 with a free port. */
  static async start(): Promise<AwsStub> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const stub = new AwsStub(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => { void stub.handle(req, res); });
    return stub;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The calls of one operation, e.g. `callsOf('SageMaker.StopTrainingJob')` or `callsOf('batch.TerminateJob')`. */
  callsOf(operation: string): Array<Record<string, any>> {
    return this.calls.filter((c) => `${c.service}.${c.operation}` === operation).map((c) => c.input);
  }

  /** Adds log events to a stream (creating group and stream). */
  putLogEvents(group: string, stream: string, events: StubLogEvent[]): void {
    const streams = this.logGroups.get(group) ?? new Map<string, StubLogEvent[]>();
    this.logGroups.set(group, streams);
    streams.set(stream, [...(streams.get(stream) ?? []), ...events]);
  }

  /**
   * Ends an endpoint's running update as SageMaker would: traffic shifted to the new config, or
   * (with a failure reason) rolled back to the config it had, InService, saying why.
   */
  endEndpointUpdate(name: string, failureReason?: string): void {
    const e = this.endpoints.get(name);
    if (!e || !e.pendingConfig) throw new Error(`stub: endpoint ${name} has no update running`);
    const { pendingConfig, ...rest } = e;
    this.endpoints.set(name, failureReason
      ? { ...rest, EndpointStatus: rest.EndpointConfigName ? 'InService' : 'Failed', FailureReason: failureReason }
      : { ...rest, EndpointStatus: 'InService', EndpointConfigName: pendingConfig });
  }

  private readonly operations: Record<string, Operation> = {
    'SageMaker.CreateModel': (input) => this.create(this.sageMakerModels, 'model', input.ModelName, input, { ModelArn: `arn:aws:sagemaker:us-east-1:123456789012:model/${input.ModelName}` }),
    'SageMaker.CreateEndpointConfig': (input) => {
      for (const v of input.ProductionVariants ?? []) if (!this.sageMakerModels.has(v.ModelName)) throw new StubError('ValidationException', `Could not find model "${v.ModelName}".`);
      return this.create(this.endpointConfigs, 'endpoint-config', input.EndpointConfigName, input, { EndpointConfigArn: `arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/${input.EndpointConfigName}` });
    },
    'SageMaker.CreateEndpoint': ({ EndpointName, EndpointConfigName }) => {
      this.endpointConfig(EndpointConfigName);
      const EndpointArn = `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${EndpointName}`;
      this.create(this.endpoints, 'endpoint', EndpointName, { EndpointName, EndpointArn, EndpointStatus: 'Creating', pendingConfig: EndpointConfigName }, {});
      return { EndpointArn };
    },
    'SageMaker.DescribeEndpoint': ({ EndpointName }) => {
      const { pendingConfig, ...e } = this.endpoint(EndpointName);
      return pendingConfig ? { ...e, PendingDeploymentSummary: { EndpointConfigName: pendingConfig } } : e;
    },
    'SageMaker.UpdateEndpoint': ({ EndpointName, EndpointConfigName }) => {
      const e = this.endpoint(EndpointName);
      this.endpointConfig(EndpointConfigName);
      if (e.EndpointStatus !== 'InService' && e.EndpointStatus !== 'Failed') throw new StubError('ValidationException', `Cannot update in-progress endpoint "${e.EndpointArn}".`);
      const { FailureReason: _, ...rest } = e;
      this.endpoints.set(EndpointName, { ...rest, EndpointStatus: 'Updating', pendingConfig: EndpointConfigName });
      return { EndpointArn: e.EndpointArn };
    },
    // Like the service: a SageMaker variant can be registered only once its endpoint is InService;
    // policies and scheduled actions need the registered target. Register/put replace by name.
    'AnyScaleFrontendService.RegisterScalableTarget': (input) => {
      const name = /^endpoint\/([^/]+)\/variant\//.exec(input.ResourceId)?.[1];
      if (input.ServiceNamespace !== 'sagemaker' || !name) throw new StubError('ValidationException', `the stub answers only SageMaker variants, not ${input.ServiceNamespace} ${input.ResourceId}`);
      if (this.endpoints.get(name)?.EndpointStatus !== 'InService') throw new StubError('ValidationException', `The endpoint ${name} is not in service; a variant can be registered only when its endpoint is InService.`);
      this.scalableTargets.set(input.ResourceId, input);
      return { ScalableTargetARN: `arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/${input.ResourceId}` };
    },
    'AnyScaleFrontendService.PutScalingPolicy': (input) => {
      this.scalableTarget(input.ResourceId);
      this.scalingPolicies.set(`${input.ResourceId}/${input.PolicyName}`, input);
      return { PolicyARN: `arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:${input.PolicyName}`, Alarms: [] };
    },
    'AnyScaleFrontendService.PutScheduledAction': (input) => {
      this.scalableTarget(input.ResourceId);
      this.scheduledActions.set(`${input.ResourceId}/${input.ScheduledActionName}`, input);
      return {};
    },
    'SageMaker.DescribeTrainingJob': ({ TrainingJobName }) => this.trainingJob(TrainingJobName),
    'SageMaker.StopTrainingJob': ({ TrainingJobName }) => {
      const job = this.trainingJob(TrainingJobName);
      if (job.TrainingJobStatus !== 'InProgress') throw new StubError('ValidationException', `The request was rejected because the training job is in status ${job.TrainingJobStatus}.`);
      job.TrainingJobStatus = 'Stopping';
      return {};
    },
    'batch.DescribeJobs': ({ jobs }) => ({ jobs: (jobs as string[]).flatMap((id) => (this.batchJobs.has(id) ? [this.batchJobs.get(id)] : [])) }),
    'batch.TerminateJob': ({ jobId, reason }) => {
      const job = this.batchJobs.get(jobId);
      if (!job) throw new StubError('ClientException', `Job ${jobId} not found`);
      if (!BATCH_ENDED.includes(job.status)) Object.assign(job, { status: 'FAILED', statusReason: reason });
      return {};
    },
    'Logs_20140328.DescribeLogStreams': ({ logGroupName, logStreamNamePrefix = '' }) => ({
      logStreams: [...this.logGroup(logGroupName).keys()].filter((s) => s.startsWith(logStreamNamePrefix)).sort().map((logStreamName) => ({ logStreamName })),
    }),
    'Logs_20140328.GetLogEvents': ({ logGroupName, logStreamName, limit = 10_000, startFromHead = false }) => {
      const events = this.logGroup(logGroupName).get(logStreamName);
      if (!events) throw new StubError('ResourceNotFoundException', 'The specified log stream does not exist.');
      const page = startFromHead ? events.slice(0, limit) : events.slice(Math.max(0, events.length - limit));
      return { events: page.map((e) => ({ ...e, ingestionTime: e.timestamp })), nextForwardToken: 'f/end', nextBackwardToken: 'b/start' };
    },
    'Logs_20140328.FilterLogEvents': ({ logGroupName, logStreamNamePrefix = '', limit = 10_000 }) => ({
      events: [...this.logGroup(logGroupName)].filter(([s]) => s.startsWith(logStreamNamePrefix))
        .flatMap(([logStreamName, events]) => events.map((e) => ({ ...e, logStreamName })))
        .sort((a, b) => a.timestamp - b.timestamp).slice(0, limit),
    }),
    'AWSStepFunctions.DescribeExecution': ({ executionArn }) => {
      const e = this.execution(executionArn);
      return {
        executionArn, stateMachineArn: e.stateMachineArn, name: e.name, status: e.status, startDate: epochSeconds(e.startDate),
        ...(e.stopDate ? { stopDate: epochSeconds(e.stopDate) } : {}), ...(e.error ? { error: e.error } : {}), ...(e.cause ? { cause: e.cause } : {}),
      };
    },
    'AWSStepFunctions.GetExecutionHistory': ({ executionArn, reverseOrder = false }) => {
      const events = this.execution(executionArn).history;
      return { events: reverseOrder ? [...events].reverse() : events };
    },
    'AWSStepFunctions.StopExecution': ({ executionArn, error, cause }) => {
      const e = this.execution(executionArn);
      const stopDate = Date.now();
      if (e.status === 'RUNNING') Object.assign(e, { status: 'ABORTED', stopDate, error, cause });
      return { stopDate: epochSeconds(e.stopDate ?? stopDate) };
    },
  };

  private create(map: Map<string, Record<string, any>>, kind: string, name: string, item: Record<string, any>, out: Record<string, any>): Record<string, any> {
    if (map.has(name)) throw new StubError('ValidationException', `Cannot create already existing ${kind} "arn:aws:sagemaker:us-east-1:123456789012:${kind}/${name}".`);
    map.set(name, item);
    return out;
  }

  private scalableTarget(resourceId: string): Record<string, any> {
    const t = this.scalableTargets.get(resourceId);
    if (!t) throw new StubError('ObjectNotFoundException', `No scalable target registered for service namespace: sagemaker, resource ID: ${resourceId}`);
    return t;
  }

  private endpoint(name: string): Record<string, any> {
    const e = this.endpoints.get(name);
    if (!e) throw new StubError('ValidationException', `Could not find endpoint "${name}".`);
    return e;
  }

  private endpointConfig(name: string): Record<string, any> {
    const c = this.endpointConfigs.get(name);
    if (!c) throw new StubError('ValidationException', `Could not find endpoint configuration "${name}".`);
    return c;
  }

  private trainingJob(name: string): Record<string, any> {
    const job = this.trainingJobs.get(name);
    if (!job) throw new StubError('ValidationException', 'Requested resource not found.');
    return job;
  }

  private logGroup(name: string): Map<string, StubLogEvent[]> {
    const group = this.logGroups.get(name);
    if (!group) throw new StubError('ResourceNotFoundException', 'The specified log group does not exist.');
    return group;
  }

  private execution(arn: string): StubExecution {
    const e = this.executions.get(arn);
    if (!e) throw new StubError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const target = req.headers['x-amz-target'];
    // JSON 1.0/1.1 name the operation in X-Amz-Target; Batch's REST JSON in the path (/v1/describejobs).
    const [service, operation] = typeof target === 'string'
      ? target.split('.')
      : ['batch', Object.keys(this.operations).find((k) => k.toLowerCase() === `batch.${(req.url ?? '').replace(/^\/v1\//, '').split('?')[0]}`)?.slice(6) ?? req.url ?? ''];
    const json = typeof target === 'string' ? `application/x-amz-json-${service === 'AWSStepFunctions' ? '1.0' : '1.1'}` : 'application/json';
    const input = body ? JSON.parse(body) as Record<string, any> : {};
    this.calls.push({ service, operation, input });
    const op = this.operations[`${service}.${operation}`];
    try {
      if (!op) throw new StubError('UnknownOperationException', `the stub does not answer ${service}.${operation}`);
      const out = op(input);
      res.writeHead(200, { 'content-type': json });
      res.end(JSON.stringify(out));
    } catch (e) {
      const err = e instanceof StubError ? e : new StubError('InternalFailure', (e as Error).message, 500);
      res.writeHead(err.status, { 'content-type': json, 'x-amzn-errortype': err.type });
      res.end(JSON.stringify({ __type: err.type, message: err.message }));
    }
  }
}
