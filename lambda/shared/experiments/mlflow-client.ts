// A small client of the MLflow REST API (2.0) as SageMaker managed MLflow serves it: requests go
// to https://<region>.experiments.sagemaker.aws, signed with SigV4 for the service
// `sagemaker-mlflow`, and name the tracking server in the `x-mlflow-sm-tracking-server-arn`
// header (what the sagemaker-mlflow plugin does for Python clients).
import { Credentials, SigV4Signer } from '../predict/sigv4';

export const MLFLOW_SERVICE = 'sagemaker-mlflow';
export const TRACKING_SERVER_HEADER = 'x-mlflow-sm-tracking-server-arn';

/** The REST endpoint of a managed tracking server, from its ARN. */
export function trackingServerUrl(arn: string): string {
  const m = /^arn:(aws[a-z-]*):sagemaker:([a-z0-9-]+):\d{12}:mlflow-tracking-server\/.+$/.exec(arn);
  if (!m) throw new Error(`${JSON.stringify(arn)} is not an MLflow tracking server ARN (arn:aws:sagemaker:<region>:<account>:mlflow-tracking-server/<name>)`);
  const suffix = m[1] === 'aws-cn' ? 'amazonaws.com.cn' : 'aws';
  return `https://${m[2]}.experiments.sagemaker.${suffix}`;
}

/** An MLflow REST error, with the API's error code (e.g. RESOURCE_DOES_NOT_EXIST). */
export class MlflowError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(`MLflow ${status} ${code}: ${message}`);
    this.name = 'MlflowError';
  }
}

export interface MlflowClientOptions {
  readonly trackingServerArn: string;
  readonly credentials: () => Promise<Credentials>;
  /** @default - from the ARN (tests point it at a local stub) */
  readonly endpoint?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export class MlflowClient {
  private readonly endpoint: string;
  private readonly signer: SigV4Signer;

  constructor(private readonly options: MlflowClientOptions) {
    this.endpoint = options.endpoint ?? trackingServerUrl(options.trackingServerArn);
    this.signer = new SigV4Signer(MLFLOW_SERVICE, options.trackingServerArn.split(':')[3]);
  }

  /**
   * POSTs one REST call (`experiments/search`, `runs/create`, ...); throws MlflowError on a
   * non-2xx answer. Only POST APIs are used: the lean signer signs no query string.
   */
  async post<T>(api: string, payload: Record<string, unknown>): Promise<T> {
    const url = new URL(`/api/2.0/mlflow/${api}`, this.endpoint);
    const body = JSON.stringify(payload);
    const headers = this.signer.sign({
      method: 'POST',
      path: url.pathname,
      headers: { 'host': url.host, 'content-type': 'application/json', [TRACKING_SERVER_HEADER]: this.options.trackingServerArn },
      body,
    }, await this.options.credentials(), (this.options.now ?? (() => new Date()))());
    const res = await (this.options.fetch ?? fetch)(url, { method: 'POST', headers, body });
    const text = await res.text();
    const json = text ? JSON.parse(text) as Record<string, unknown> : {};
    if (!res.ok) throw new MlflowError(res.status, String(json.error_code ?? 'UNKNOWN'), String(json.message ?? text.slice(0, 200)));
    return json as T;
  }
}
