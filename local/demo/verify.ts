// What `npm run demo` checks about itself, so that running it (the CI step after `npm test`) is
// the test: the answers it showed are the ones the loop must give, and once it has stopped what it
// started, no port it listened on answers and no process it started lives.
import { connect } from 'node:net';
import { Answer } from '../../lambda/shared/predict/core';
import { ModelSpec } from '../../lib/spec/model-spec';

export interface DemoAnswers {
  readonly known: Answer;
  readonly missing: Answer;
  readonly rule: Answer;
  readonly afterPromotion: Answer;
}

/** Throws, naming every wrong answer, unless the answers are the ones the loop must give. */
export function checkAnswers(spec: ModelSpec, a: DemoAnswers, promotedVersion: number): void {
  const fallback = spec.inference.rules.fallback[0]?.name;
  const prefilter = spec.inference.rules.prefilter[0]?.name;
  const wrong = [
    a.known.source !== 'model' || a.known.version !== 2 || typeof a.known.prediction !== 'number' ? `the known id answered ${JSON.stringify(a.known)}, expected a model prediction of v2 (the second training)` : '',
    a.missing.source !== 'fallback' || a.missing.rule !== fallback ? `the missing id answered ${JSON.stringify(a.missing)}, expected the fallback rule ${fallback}` : '',
    a.rule.source !== 'rule' || a.rule.rule !== prefilter ? `the rule-matched id answered ${JSON.stringify(a.rule)}, expected the prefilter rule ${prefilter}` : '',
    a.afterPromotion.source !== 'model' || a.afterPromotion.version !== promotedVersion || a.afterPromotion.prediction === a.known.prediction
      ? `after promoting v${promotedVersion} the known id answered ${JSON.stringify(a.afterPromotion)}, expected v${promotedVersion}'s own prediction` : '',
  ].filter(Boolean);
  if (wrong.length) throw new Error(`the demo's answers are wrong:\n  ${wrong.join('\n  ')}`);
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What is still listening or running of what the demo started (empty once its cleanup ran). */
export async function leftRunning(started: { readonly ports: readonly number[]; readonly pids: readonly number[] }): Promise<string[]> {
  const ports = [];
  for (const port of started.ports) if (await listening(port)) ports.push(`port ${port} still listening`);
  return [...ports, ...started.pids.filter(running).map((pid) => `process ${pid} still running`)];
}
