// Entry point of the prediction server container (`node server.js`): configuration from the
// environment, EMF metric lines to stdout every interval, graceful shutdown on SIGTERM (ECS
// sends it on deployments and scale-in; the ALB deregistration delay drains first).
import { writeEmf } from '../lambda/shared/emf';
import { PREDICT_DEFAULTS, PREDICT_ENV } from '../lambda/shared/predict/constants';
import { AnswerMetrics } from '../lambda/shared/predict/metrics';
import { RequestLog } from '../lambda/shared/predict/request-log';
import { predictCoreFromEnv } from '../lambda/shared/predict/runtime';
import { createPredictionServer } from './app';

const metrics = new AnswerMetrics();
const core = predictCoreFromEnv({
  onAnswer: (a) => metrics.record(a),
  onStoreError: (model, category) => metrics.storeError(model, category),
});
const port = Number(process.env[PREDICT_ENV.port] || PREDICT_DEFAULTS.port);
const intervalMs = Number(process.env[PREDICT_ENV.metricsIntervalMs] || PREDICT_DEFAULTS.metricsIntervalMs);

const flush = () => writeEmf(metrics.flush());
const timer = setInterval(flush, intervalMs);
timer.unref();

const server = createPredictionServer({ core, requestLog: new RequestLog({ service: 'prediction-server' }) });
server.listen(port, '0.0.0.0', () => {
  process.stdout.write(`${JSON.stringify({ level: 'INFO', message: 'prediction server listening', port, models: core.models })}\n`);
});

const shutdown = () => {
  clearInterval(timer);
  server.close(() => { flush(); process.exit(0); });
  server.closeIdleConnections();
  setTimeout(() => { flush(); process.exit(0); }, 10_000).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
