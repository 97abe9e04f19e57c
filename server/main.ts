// Entry point of the prediction server container (`node server.js`): configuration from the
// environment, EMF metric lines to stdout every interval, graceful shutdown on SIGTERM (ECS
// sends it on deployments and scale-in; the ALB deregistration delay drains first).
import { writeEmf } from '../lambda/shared/emf';
import { PREDICT_DEFAULTS, PREDICT_ENV } from '../lambda/shared/predict/constants';
import { AnswerMetrics } from '../lambda/shared/predict/metrics';
import { RequestLog } from '../lambda/shared/predict/request-log';
import { frontEndFromEnv } from '../lambda/shared/predict/runtime';
import { createPredictionServer } from './app';
import { drainServer } from './shutdown';

/**
 * Last resort if a connection does not close: requests time out after 10 s (app.ts), and ECS
 * kills the container 20 s after SIGTERM (the service's stopTimeout), so 15 s leaves time to
 * write the last metrics.
 */
const SHUTDOWN_DEADLINE_MS = 15_000;

const metrics = new AnswerMetrics();
const { core, invoker, jobs } = frontEndFromEnv({
  onAnswer: (a) => metrics.record(a),
  onStoreError: (model, category) => metrics.storeError(model, category),
  onProductionError: (model, category) => metrics.productionError(model, category),
});
const port = Number(process.env[PREDICT_ENV.port] || PREDICT_DEFAULTS.port);
const intervalMs = Number(process.env[PREDICT_ENV.metricsIntervalMs] || PREDICT_DEFAULTS.metricsIntervalMs);

const flush = () => writeEmf(metrics.flush());
const timer = setInterval(flush, intervalMs);
timer.unref();

const server = createPredictionServer({ core, invoker, jobs, requestLog: new RequestLog({ service: 'prediction-server' }) });
server.listen(port, '0.0.0.0', () => {
  process.stdout.write(`${JSON.stringify({ level: 'INFO', message: 'prediction server listening', port, models: core.models, realTime: invoker?.models ?? [] })}\n`);
});

const shutdown = () => {
  clearInterval(timer);
  setTimeout(() => { flush(); process.exit(1); }, SHUTDOWN_DEADLINE_MS).unref();
  // Exit explicitly once drained: the store's kept-alive connections would keep the process up.
  void drainServer(server).then(() => { flush(); process.exit(0); });
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
