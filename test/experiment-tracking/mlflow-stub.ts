// A local stand-in for the managed MLflow REST API (the subset the mirror uses), that refuses
// requests without a SigV4 signature for `sagemaker-mlflow` or without the tracking server header.
import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import { TRACKING_SERVER_HEADER } from '../../lambda/shared/experiments/mlflow-client';

export interface StubRun { info: { run_id: string; run_name: string; status: string; end_time?: number; experiment_id: string }; tags: Record<string, string>; params: Record<string, string>; metrics: Array<{ key: string; value: number; step: number }> }

export class MlflowStub {
  readonly experiments = new Map<string, string>();
  readonly runs: StubRun[] = [];
  readonly calls: string[] = [];
  /** Fails the next call of this API once with a 503. */
  failNext?: string;
  private server?: Server;

  async start(arn: string): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        const api = (req.url ?? '').replace('/api/2.0/mlflow/', '');
        this.calls.push(api);
        const send = (status: number, json: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(json)); };
        if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/sagemaker-mlflow\/aws4_request/.test(String(req.headers.authorization))) return send(403, { error_code: 'PERMISSION_DENIED', message: 'unsigned' });
        if (req.headers[TRACKING_SERVER_HEADER] !== arn) return send(500, { error_code: 'INTERNAL_ERROR', message: 'no tracking server header' });
        if (this.failNext === api) { this.failNext = undefined; return send(503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'try again' }); }
        const p = JSON.parse(body || '{}');
        switch (api) {
          case 'experiments/search': {
            const name = /^name = '(.*)'$/.exec(p.filter ?? '')?.[1];
            return send(200, { experiments: [...this.experiments].filter(([n]) => n === name).map(([n, id]) => ({ name: n, experiment_id: id })) });
          }
          case 'experiments/create':
            if (this.experiments.has(p.name)) return send(400, { error_code: 'RESOURCE_ALREADY_EXISTS', message: 'exists' });
            this.experiments.set(p.name, String(this.experiments.size + 1));
            return send(200, { experiment_id: this.experiments.get(p.name) });
          case 'runs/search': {
            const id = /^tags\.`mlops\.runId` = '(.*)'$/.exec(p.filter ?? '')?.[1];
            return send(200, { runs: this.runs.filter((r) => p.experiment_ids.includes(r.info.experiment_id) && r.tags['mlops.runId'] === id) });
          }
          case 'runs/create': {
            const run: StubRun = { info: { run_id: `mlf-${this.runs.length + 1}`, run_name: p.run_name, status: 'RUNNING', experiment_id: p.experiment_id }, tags: Object.fromEntries(p.tags.map((t: { key: string; value: string }) => [t.key, t.value])), params: {}, metrics: [] };
            this.runs.push(run);
            return send(200, { run: { info: run.info } });
          }
          case 'runs/log-batch': {
            const run = this.runs.find((r) => r.info.run_id === p.run_id)!;
            for (const x of p.params ?? []) {
              if (run.params[x.key] !== undefined && run.params[x.key] !== x.value) return send(400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'param changed' });
              run.params[x.key] = x.value;
            }
            run.metrics.push(...(p.metrics ?? []));
            return send(200, {});
          }
          case 'runs/update': {
            const run = this.runs.find((r) => r.info.run_id === p.run_id)!;
            Object.assign(run.info, { status: p.status, end_time: p.end_time });
            return send(200, { run_info: run.info });
          }
          default:
            return send(404, { error_code: 'ENDPOINT_NOT_FOUND', message: api });
        }
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
