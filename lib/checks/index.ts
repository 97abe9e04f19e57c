export * from './pattern-check';
export * from './run-pattern-checks';
export { ttlOutlivesNextBatch } from './ttl-outlives-next-batch';
export { scheduleMeetsRpo } from './schedule-meets-rpo';
export { modelLatencyFitsSlo, FRONT_END_OVERHEAD_MS } from './model-latency-fits-slo';
export { oneModelPerService } from './one-model-per-service';
export { gpuComputeVcpuCap } from './gpu-compute-vcpu-cap';
export { servingHasFallback } from './serving-has-fallback';
export * from './spec-report';
