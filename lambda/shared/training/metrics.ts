import { METRICS } from '../contract';
import { emfLine, writeEmf } from '../emf';
import { TrainingDeps } from './deps';

/**
 * Publishes training metrics as EMF (read by the MlopsMonitoring training and quality alarms):
 * per [Model, Category] and per [Model].
 */
export function emitRunMetrics(deps: TrainingDeps, model: string, category: string, metrics: Array<{ name: string; unit: string; value: number }>): void {
  const D = METRICS.dimensions;
  (deps.emit ?? writeEmf)(emfLine({
    timestamp: deps.now().getTime(),
    dimensions: { [D.model]: model, [D.category]: category },
    dimensionSets: [[D.model, D.category], [D.model]],
    metrics,
  }));
}
