import { ModelSpec, ServingFrontEnd } from '../spec/model-spec';
import { CheckLevel, CheckOutcome, PlatformCheck, compliant, nonCompliant, notApplicable } from './pattern-check';

/** The "all-in-one" anti-pattern: several models behind one serving service. */
export const oneModelPerService: PlatformCheck = {
  id: 'MLOPS-OneModelPerService',
  scope: 'platform',
  level: CheckLevel.ERROR,
  info: 'Two or more models are served by the same service ("all-in-one").',
  explanation: 'Models that share a service share its deployments, scaling, failures and cost attribution: one model\'s release or load '
    + 'spike takes the others down, and none can be rolled back alone. Give every model its own service.',
  check(specs: readonly ModelSpec[]) {
    const byService = new Map<string, string[]>();
    for (const s of specs) {
      if (s.inference.serving === ServingFrontEnd.NONE) continue;
      byService.set(s.inference.serviceName, [...byService.get(s.inference.serviceName) ?? [], s.name]);
    }
    const out = new Map<string, CheckOutcome>();
    for (const s of specs) {
      if (s.inference.serving === ServingFrontEnd.NONE) { out.set(s.name, notApplicable()); continue; }
      const sharing = byService.get(s.inference.serviceName)!;
      out.set(s.name, sharing.length === 1 ? compliant() : nonCompliant('inference.serviceName',
        `service "${s.inference.serviceName}" also serves ${sharing.filter((n) => n !== s.name).join(', ')}; remove inference.serviceName so each model gets its own service`));
    }
    return out;
  },
};
