// Runs in every test worker before the suites: dummy credentials for the loopback emulators,
// and the Promise.withResolvers polyfill aws-local-stepfunctions needs on Node 20.
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.CDK_DISABLE_CLI_TELEMETRY = '1';

const P = Promise as unknown as { withResolvers?: unknown };
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (v: T | PromiseLike<T>) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}

// CDK records a stack trace for every CloudFormation element it creates and every acknowledgement;
// under jest (100-frame traces, each frame source-mapped) that is about a quarter of a synth's CPU.
// No test reads those traces: elements record none, and other traces keep node's default depth.
Error.stackTraceLimit = 10;
process.env.CDK_CONTEXT_JSON = JSON.stringify({ ...JSON.parse(process.env.CDK_CONTEXT_JSON ?? '{}'), 'aws:cdk:disable-creation-stack-traces': true });
