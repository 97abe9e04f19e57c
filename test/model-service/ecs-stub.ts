// A loopback stub that answers the real @aws-sdk/client-ecs the way ECS does (JSON 1.1,
// X-Amz-Target AmazonEC2ContainerServiceV20141113.<Operation>), for the calls the model service
// update function makes: DescribeServices, DescribeTaskDefinition, RegisterTaskDefinition,
// UpdateService. A rollout stays IN_PROGRESS until the test ends it (`endDeployment`), as the
// deployment circuit breaker would: completed, or failed and rolled back. Every call is recorded.
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

const TARGET = 'AmazonEC2ContainerServiceV20141113';
const ACCOUNT_ARN = 'arn:aws:ecs:us-east-1:123456789012';

class EcsError extends Error {
  constructor(readonly type: string, message: string) { super(message); }
}

export interface EcsDeployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinition: string;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason?: string;
}

export class EcsStub {
  /** Task definitions by ARN, as DescribeTaskDefinition returns them. */
  readonly taskDefinitions = new Map<string, Record<string, any>>();
  /** Services by name. */
  readonly services = new Map<string, { serviceName: string; serviceArn: string; status: string; taskDefinition: string; deployments: EcsDeployment[] }>();
  readonly calls: Array<{ operation: string; input: Record<string, any> }> = [];
  private deploymentIds = 0;

  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<EcsStub> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const stub = new EcsStub(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => { void stub.handle(req, res); });
    return stub;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  callsOf(operation: string): Array<Record<string, any>> {
    return this.calls.filter((c) => c.operation === operation).map((c) => c.input);
  }

  /** A service as its stack creates it: one completed deployment of `taskDefinition` (registered here). */
  addService(serviceName: string, taskDefinition: Record<string, any>): string {
    const arn = this.register(taskDefinition).taskDefinitionArn;
    this.services.set(serviceName, {
      serviceName, serviceArn: `${ACCOUNT_ARN}:service/cluster/${serviceName}`, status: 'ACTIVE', taskDefinition: arn,
      deployments: [{ id: this.deploymentId(), status: 'PRIMARY', taskDefinition: arn, rolloutState: 'COMPLETED' }],
    });
    return arn;
  }

  /**
   * Ends the running rollout: completed (the older deployments drained), or failed with the
   * circuit breaker's reason and rolled back to the last completed task definition.
   */
  endDeployment(serviceName: string, failureReason?: string): void {
    const s = this.service(serviceName);
    const primary = s.deployments.find((d) => d.status === 'PRIMARY')!;
    if (primary.rolloutState !== 'IN_PROGRESS') throw new Error(`stub: ${serviceName} has no rollout running`);
    if (!failureReason) {
      primary.rolloutState = 'COMPLETED';
      s.deployments = [primary];
      return;
    }
    const back = s.deployments.find((d) => d.status === 'ACTIVE' && d.rolloutState === 'COMPLETED')!;
    Object.assign(primary, { status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: failureReason });
    s.taskDefinition = back.taskDefinition;
    s.deployments = [{ id: this.deploymentId(), status: 'PRIMARY', taskDefinition: back.taskDefinition, rolloutState: 'COMPLETED' }, primary];
  }

  private readonly operations: Record<string, (input: Record<string, any>) => unknown> = {
    DescribeServices: ({ services }) => {
      const found = (services as string[]).filter((n) => this.services.has(n));
      return {
        services: found.map((n) => this.service(n)),
        failures: (services as string[]).filter((n) => !this.services.has(n)).map((n) => ({ arn: `${ACCOUNT_ARN}:service/cluster/${n}`, reason: 'MISSING' })),
      };
    },
    DescribeTaskDefinition: ({ taskDefinition }) => {
      const td = this.taskDefinitions.get(taskDefinition);
      if (!td) throw new EcsError('ClientException', 'Unable to describe task definition.');
      return { taskDefinition: td };
    },
    RegisterTaskDefinition: (input) => {
      if (!input.family || !Array.isArray(input.containerDefinitions) || input.containerDefinitions.length === 0) throw new EcsError('ClientException', 'Container list cannot be empty.');
      return { taskDefinition: this.register(input) };
    },
    UpdateService: ({ service, taskDefinition }) => {
      const s = this.service(service);
      if (!this.taskDefinitions.has(taskDefinition)) throw new EcsError('ClientException', 'TaskDefinition not found.');
      for (const d of s.deployments) d.status = 'ACTIVE';
      s.deployments.unshift({ id: this.deploymentId(), status: 'PRIMARY', taskDefinition, rolloutState: 'IN_PROGRESS' });
      s.taskDefinition = taskDefinition;
      return { service: s };
    },
  };

  private register(input: Record<string, any>): Record<string, any> {
    const revision = [...this.taskDefinitions.values()].filter((t) => t.family === input.family).length + 1;
    const taskDefinitionArn = `${ACCOUNT_ARN}:task-definition/${input.family}:${revision}`;
    const td = { ...input, taskDefinitionArn, revision, status: 'ACTIVE' };
    this.taskDefinitions.set(taskDefinitionArn, td);
    return td;
  }

  private service(name: string) {
    const s = this.services.get(name);
    if (!s) throw new EcsError('ServiceNotFoundException', 'Service not found.');
    return s;
  }

  private deploymentId(): string {
    return `ecs-svc/${++this.deploymentIds}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const [prefix, operation] = String(req.headers['x-amz-target'] ?? '').split('.');
    const input = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any> : {};
    this.calls.push({ operation, input });
    const json = 'application/x-amz-json-1.1';
    try {
      const op = prefix === TARGET ? this.operations[operation] : undefined;
      if (!op) throw new EcsError('UnknownOperationException', `the ECS stub does not answer ${prefix}.${operation}`);
      const out = JSON.stringify(op(input));
      res.writeHead(200, { 'content-type': json });
      res.end(out);
    } catch (e) {
      const err = e instanceof EcsError ? e : new EcsError('ServerException', (e as Error).message);
      res.writeHead(err.type === 'ServerException' ? 500 : 400, { 'content-type': json, 'x-amzn-errortype': err.type });
      res.end(JSON.stringify({ __type: err.type, message: err.message }));
    }
  }
}
