import {
  CheckLevel, Compliance, PatternCheckError, UNKNOWN_ACKNOWLEDGEMENT, assertPatternChecks, gpuComputeVcpuCap, modelLatencyFitsSlo,
  oneModelPerService, runPatternChecks, scheduleMeetsRpo, servingHasFallback, ttlOutlivesNextBatch,
} from '../../lib/checks';
import { loadModelSpec } from '../../lib/spec';
import { join } from 'node:path';
import { specFrom, specWith } from '../spec/fixtures';

const example = () => loadModelSpec(join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml'));

describe('MLOPS-TtlOutlivesNextBatch', () => {
  test('compliant: 3d TTL outlives a daily batch with two 1h retries', () => {
    expect(ttlOutlivesNextBatch.check(specFrom()).compliance).toBe(Compliance.COMPLIANT);
  });
  test('non-compliant: a 1d TTL expires before a daily batch that retries', () => {
    const outcome = ttlOutlivesNextBatch.check(specFrom('  ttl: 1d\n  rpo: 3d\n'));
    expect(outcome).toMatchObject({ compliance: Compliance.NON_COMPLIANT, path: 'inference.ttl' });
    // Spot SageMaker training: each of the 3 attempts may take maxWait (2h) including the wait for capacity.
    expect(outcome.detail).toMatch(/ttl 1d < training interval \(schedule; scoring follows training\) 1d \+ lateness 6h \(3 attempts x training.maxWait 2h\), up to the hour, \+ 2h for the alarms = 1d8h; set inference.ttl to at least 1d8h/);
  });
  test('non-compliant: weekday-only training leaves a weekend gap', () => {
    const spec = specFrom('  ttl: 2d\nschedule: { cron: "0 2 * * MON-FRI" }\n');
    expect(ttlOutlivesNextBatch.check(spec).detail).toMatch(/training interval \(schedule; scoring follows training\) 3d/);
  });
  test('not applicable to online-only models', () => {
    expect(ttlOutlivesNextBatch.check(specFrom('  mode: online\n  ttl: 1h\n')).compliance).toBe(Compliance.NOT_APPLICABLE);
  });
});

describe('MLOPS-ScheduleMeetsRpo', () => {
  test('compliant: daily training with 1d-old data meets a 3d RPO', () => {
    expect(scheduleMeetsRpo.check(specFrom()).compliance).toBe(Compliance.COMPLIANT);
  });
  test('non-compliant: weekly training cannot meet a 3d RPO', () => {
    expect(scheduleMeetsRpo.check(specFrom('schedule: { cron: "0 3 * * MON" }\n'))).toMatchObject({
      compliance: Compliance.NON_COMPLIANT, path: 'schedule.cron', detail: expect.stringMatching(/7d \+ data.maxAge 1d = 8d > rpo 3d/),
    });
  });
  test('non-compliant: a schedule that never fires, or a paused one', () => {
    expect(scheduleMeetsRpo.check(specFrom('schedule: { cron: "0 0 30 2 *" }\n')).detail).toMatch(/never fires/);
    expect(scheduleMeetsRpo.check(specFrom('schedule: { enabled: false }\n'))).toMatchObject({ compliance: Compliance.NON_COMPLIANT, path: 'schedule.enabled' });
  });
});

describe('MLOPS-ModelLatencyFitsSlo (online big-size)', () => {
  test('compliant: a 50 ms model behind a service fits p95 300 ms', () => {
    expect(modelLatencyFitsSlo.check(specFrom('  mode: online\n')).compliance).toBe(Compliance.COMPLIANT);
  });
  test('non-compliant: a 280 ms model plus API overhead exceeds p95 300 ms', () => {
    expect(modelLatencyFitsSlo.check(specFrom('  mode: both\n  serving: api\n  modelLatency: 280ms\n'))).toMatchObject({
      compliance: Compliance.NON_COMPLIANT, detail: expect.stringMatching(/280ms \+ api overhead 50ms = 330ms > slo.p95 300ms; use mode: batch, a model under 250ms/),
    });
  });
  test('not applicable to batch predictions (looked up, not computed)', () => {
    expect(modelLatencyFitsSlo.check(specFrom('  modelLatency: 5s\n')).compliance).toBe(Compliance.NOT_APPLICABLE);
  });
});

describe('MLOPS-OneModelPerService (all-in-one)', () => {
  test('compliant: each model has its own service', () => {
    const outcomes = oneModelPerService.check([specFrom('', 'demand'), specFrom('', 'churn')]);
    expect([...outcomes.values()].map((o) => o.compliance)).toEqual([Compliance.COMPLIANT, Compliance.COMPLIANT]);
  });
  test('non-compliant: two models declare the same service', () => {
    const outcomes = oneModelPerService.check([specFrom('  serviceName: shared\n', 'demand'), specFrom('  serviceName: shared\n', 'churn'), specFrom('', 'other')]);
    expect(outcomes.get('demand')).toMatchObject({ compliance: Compliance.NON_COMPLIANT, detail: expect.stringMatching(/also serves churn/) });
    expect(outcomes.get('churn')?.compliance).toBe(Compliance.NON_COMPLIANT);
    expect(outcomes.get('other')?.compliance).toBe(Compliance.COMPLIANT);
  });
});

describe('MLOPS-GpuComputeVcpuCap', () => {
  const gpu = (extra: Record<string, unknown>) => specWith({ training: { image: 'repo/x:1', backend: 'batch', instanceType: 'g5.xlarge', command: ['python3', 'train.py'], ...extra } });
  test('compliant: GPU training on Batch with a vCPU cap', () => {
    expect(gpuComputeVcpuCap.check(gpu({ maxVcpus: 16 })).compliance).toBe(Compliance.COMPLIANT);
  });
  test('non-compliant: GPU training on Batch without a cap', () => {
    expect(gpuComputeVcpuCap.check(gpu({}))).toMatchObject({ compliance: Compliance.NON_COMPLIANT, path: 'training.maxVcpus' });
    expect(gpuComputeVcpuCap.level).toBe(CheckLevel.WARNING);
  });
  test('not applicable to CPU instances or SageMaker', () => {
    expect(gpuComputeVcpuCap.check(gpu({ instanceType: 'c7g.xlarge' })).compliance).toBe(Compliance.NOT_APPLICABLE);
    expect(gpuComputeVcpuCap.check(specWith({ training: { image: 'repo/x:1', instanceType: 'ml.g5.xlarge' } })).compliance).toBe(Compliance.NOT_APPLICABLE);
  });
});

describe('MLOPS-ServingHasFallback', () => {
  test('compliant: served with a fallback rule', () => {
    expect(servingHasFallback.check(specFrom()).compliance).toBe(Compliance.COMPLIANT);
  });
  test('non-compliant: served without a fallback rule', () => {
    expect(servingHasFallback.check(specWith({ inference: { rules: { fallback: [] } } }))).toMatchObject({ compliance: Compliance.NON_COMPLIANT, path: 'inference.rules.fallback' });
  });
  test('not applicable without a front end', () => {
    expect(servingHasFallback.check(specWith({ inference: { serving: 'none', rules: { fallback: [] } } })).compliance).toBe(Compliance.NOT_APPLICABLE);
  });
});

describe('runPatternChecks / assertPatternChecks', () => {
  test('the example model passes every check', () => {
    expect(runPatternChecks([example()])).toEqual([]);
  });

  test('lists every finding with model, file, path, what and the numbers', () => {
    const bad = specWith({ inference: { ttl: '1d', rpo: '3d', rules: { fallback: [] }, serviceName: 'shared' } }, 'demand');
    const other = specWith({ inference: { serviceName: 'shared' } }, 'churn');
    const findings = runPatternChecks([bad, other]);
    expect(findings.map((f) => `${f.id} ${f.model}`)).toEqual([
      'MLOPS-TtlOutlivesNextBatch demand', 'MLOPS-OneModelPerService demand', 'MLOPS-OneModelPerService churn', 'MLOPS-ServingHasFallback demand',
    ]);
    expect(findings[0]).toMatchObject({ level: CheckLevel.ERROR, file: 'models/demand/model.yaml', path: 'inference.ttl', info: expect.any(String), explanation: expect.any(String) });
    expect(() => assertPatternChecks([bad, other])).toThrow(PatternCheckError);
    expect(() => assertPatternChecks([bad, other])).toThrow(/\[error\] MLOPS-ServingHasFallback demand \(models\/demand\/model.yaml: inference.rules.fallback\)/);
  });

  test('warnings and acknowledged errors do not fail; the reason is kept', () => {
    const spec = specWith({
      training: { image: 'repo/x:1', backend: 'batch', instanceType: 'g5.xlarge', command: ['python3', 'train.py'] },
      inference: { rules: { fallback: [] } },
      acknowledge: [{ id: 'MLOPS-ServingHasFallback', reason: 'clients treat a missing answer as zero demand' }],
    });
    const findings = assertPatternChecks([spec]);
    expect(findings.map((f) => [f.id, f.acknowledgedReason])).toEqual([
      ['MLOPS-GpuComputeVcpuCap', undefined],
      ['MLOPS-ServingHasFallback', 'clients treat a missing answer as zero demand'],
    ]);
  });

  test('an acknowledgement of an unknown check is an error', () => {
    const spec = specWith({ acknowledge: [{ id: 'MLOPS-TtlOutlivesBatch', reason: 'typo in the id of the check here' }] });
    expect(runPatternChecks([spec])).toEqual([expect.objectContaining({ id: UNKNOWN_ACKNOWLEDGEMENT, path: 'acknowledge[0].id', level: CheckLevel.ERROR })]);
    expect(() => assertPatternChecks([spec])).toThrow(/"MLOPS-TtlOutlivesBatch" is not one of/);
  });
});
