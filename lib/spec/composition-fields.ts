// The spec's `inference.composition` block (issue 12 §3): serial steps (preprocess -> model ->
// postprocess) or parallel branches combined into one prediction. Declared with the field
// toolkit, so the JSON Schema and the validation come from here; the rules that need other
// fields (the mode, the model's own latency) are in load-model-spec.ts.
import { MODEL_NAME_PATTERN } from '../../lambda/shared/names-and-numbers';
import { Field, choice, duration, list, num, obj, text } from './fields';
import { CombineMethod, CompositionKind, CompositionSpec, CompositionStepSpec } from './model-spec';

const STEP_NAME_PATTERN = '^[a-z][a-z0-9-]{0,30}$';
/** A Lambda function name, partial or full ARN, with an optional version or alias qualifier. */
export const FUNCTION_PATTERN = '^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\\d{12}:function:)?[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$';
const IMAGE_URI_PATTERN = '^[a-z0-9][a-z0-9.-]*(:[0-9]+)?/[a-z0-9._/-]+([:@][A-Za-z0-9._:-]+)?$';

interface ParsedStep {
  readonly name: string;
  readonly image?: string;
  readonly function?: string;
  readonly model?: string;
  readonly latencyMs?: number;
  readonly weight: number;
  readonly timeoutMs?: number;
}

const name = () => text({
  description: 'Name of the step, unique in the composition; answers and logs use it.', required: true, pattern: STEP_NAME_PATTERN,
  expected: 'a name of up to 31 lowercase letters, digits and hyphens', fix: 'write e.g. "preprocess"',
});
const image = () => text({
  description: 'Image URI of a step serving the contract (GET /ping, POST /invocations on 8080), hosted on its own SageMaker endpoint.',
  pattern: IMAGE_URI_PATTERN,
  expected: 'an image URI such as "123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand-features:1.0"', fix: 'write the image URI (pushed to ECR)',
});
const latency = (what: string) => duration({ key: 'latency', unit: 'ms', description: `Declared time the step takes (${what}); the pattern checks add them up against the SLO.`, min: '0ms', max: '60s' });

const serialStep: Field<ParsedStep> = obj<ParsedStep>({
  name: name(),
  image: image(),
  function: text({
    description: 'A Lambda function (name or ARN) the front end invokes with the previous step\'s answer; it returns the next input.',
    pattern: FUNCTION_PATTERN, expected: 'a Lambda function name or ARN', fix: 'write the function name, e.g. "demand-calibrate"',
  }),
  model: text({ description: 'Not used in serial steps (a step with neither image nor function is the model itself).', pattern: MODEL_NAME_PATTERN }),
  latencyMs: latency('required for image and function steps; the model step takes inference.modelLatency'),
  weight: num({ description: 'Not used in serial steps.', default: 1, exclusiveMin: true, min: 0 }),
  timeoutMs: duration({ key: 'timeout', unit: 'ms', description: 'Not used in serial steps (the chain shares the latency budget).', min: '1ms', max: '60s' }),
}, { description: 'One step: an image, a Lambda function, or neither (the model\'s own endpoint).', required: true });

const branch: Field<ParsedStep> = obj<ParsedStep>({
  name: name(),
  image: image(),
  function: text({ description: 'Not used in parallel branches.', pattern: FUNCTION_PATTERN }),
  model: text({
    description: 'A model of the platform answering in real time (mode online or both), called on its endpoint; this model\'s own name for itself.',
    pattern: MODEL_NAME_PATTERN, expected: 'a model name of the platform', fix: 'write the name of an online model',
  }),
  latencyMs: latency('required for image branches; a model branch takes that model\'s inference.modelLatency'),
  weight: num({ description: 'Weight in weighted-mean and vote (normalised over the branches that answered).', default: 1, exclusiveMin: true, min: 0 }),
  timeoutMs: duration({ key: 'timeout', unit: 'ms', description: 'Most time the branch may take; a late branch is left out of the combination. Default: the latency budget.', min: '1ms', max: '60s' }),
}, { description: 'One branch: another model of the platform (or this one) or an image.', required: true });

interface ParsedParallel {
  readonly combine: CombineMethod;
  readonly quorum: number;
  readonly branches: ParsedStep[];
}

interface ParsedComposition {
  readonly serial?: ParsedStep[];
  readonly parallel?: ParsedParallel;
}

const compositionFields: Field<ParsedComposition> = obj<ParsedComposition>({
  serial: list(serialStep, {
    description: 'Steps run one after the other, each given the previous answer: e.g. preprocess (image or function) -> the model -> postprocess. Exactly one step has neither image nor function: the model.',
    minItems: 2, maxItems: 8, uniqueBy: (s) => s.name,
  }),
  parallel: { ...obj<ParsedParallel>({
    combine: choice(Object.values(CombineMethod), { description: 'mean, weighted-mean, vote, or first (the first answer within the budget).', default: 'mean' }),
    quorum: num({ description: 'Branches that must answer for a combined prediction; fewer give a fallback answer.', default: 1, integer: true, min: 1, max: 8 }),
    branches: list(branch, { description: 'The models fanned out to.', required: true, minItems: 2, maxItems: 8, uniqueBy: (b) => b.name }),
  }, { description: 'Fan out to several models and combine their predictions.' }), default: undefined },
}, { description: 'Serial steps or parallel branches around the model (mode online). Default: the model alone.' });

/** `inference.composition`, resolved: every structural rule is checked here, at the field that breaks it. */
export const compositionField: Field<CompositionSpec | undefined> = {
  ...compositionFields,
  default: undefined,
  parse(value, path, ctx) {
    const problem = (at: string, v: unknown, expected: string, fix: string) => { ctx.problems.push({ file: ctx.file, path: at, value: v, expected, fix }); };
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const raw = value as Record<string, unknown>;
      if ((raw.serial === undefined) === (raw.parallel === undefined)) {
        problem(path, value, 'exactly one of "serial" and "parallel"', 'write either serial: [steps] or parallel: { combine, branches }');
        return undefined;
      }
    }
    const start = ctx.problems.length;
    const p = compositionFields.parse(value, path, ctx);
    // A field already reported (e.g. a misspelt key) would only cause follow-on problems below.
    if (!p || ctx.problems.length > start) return undefined;
    const kind = p.serial ? CompositionKind.SERIAL : CompositionKind.PARALLEL;
    const items = p.serial ?? p.parallel!.branches;
    const at = kind === CompositionKind.SERIAL ? `${path}.serial` : `${path}.parallel.branches`;
    const steps: CompositionStepSpec[] = items.map((s, n) => {
      const targets = (['image', 'function', 'model'] as const).filter((k) => s[k] !== undefined);
      if (kind === CompositionKind.SERIAL) {
        if (s.model !== undefined) problem(`${at}[${n}].model`, s.model, 'no model in a serial step', 'remove it: the step with neither image nor function is this model');
        if (s.timeoutMs !== undefined) problem(`${at}[${n}].timeout`, s.timeoutMs, 'no timeout in a serial step', 'remove it: the chain shares the latency budget');
        if (s.weight !== 1) problem(`${at}[${n}].weight`, s.weight, 'no weight in a serial step', 'remove it');
        if (s.image !== undefined && s.function !== undefined) problem(`${at}[${n}]`, { image: s.image, function: s.function }, 'one of image and function', 'keep one, or split the step in two');
        if (targets.length > 0 && s.latencyMs === undefined) problem(`${at}[${n}].latency`, undefined, 'the declared latency of an image or function step', 'add e.g. latency: 5ms');
      } else {
        if (s.function !== undefined) problem(`${at}[${n}].function`, s.function, 'no function in a parallel branch', 'use model: <name> or image: <uri>');
        else if ((s.image === undefined) === (s.model === undefined)) problem(`${at}[${n}]`, { image: s.image, model: s.model }, 'exactly one of model and image', 'write model: <platform model> or image: <uri>');
        if (s.image !== undefined && s.latencyMs === undefined) problem(`${at}[${n}].latency`, undefined, 'the declared latency of an image branch', 'add e.g. latency: 40ms');
      }
      return {
        name: s.name,
        ...(s.image !== undefined ? { imageUri: s.image } : {}),
        ...(s.function !== undefined ? { functionName: s.function } : {}),
        ...(s.model !== undefined ? { model: s.model } : {}),
        ...(s.latencyMs !== undefined ? { latencyMs: s.latencyMs } : {}),
        weight: s.weight,
        ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs } : {}),
      };
    });
    if (kind === CompositionKind.SERIAL) {
      const own = steps.filter((s) => !s.imageUri && !s.functionName).length;
      if (own !== 1) problem(at, items.map((s) => s.name), `exactly one step without image or function (the model itself), but ${own} found`, own === 0 ? 'add the model step, e.g. - { name: model }' : 'give every step but the model an image or a function');
      return ctx.problems.length > start ? undefined : { kind, steps, quorum: 1 };
    }
    const { combine, quorum } = p.parallel!;
    if (quorum > steps.length) problem(`${path}.parallel.quorum`, quorum, `at most the number of branches (${steps.length})`, `lower quorum to ${steps.length} or add branches`);
    if (combine === CombineMethod.FIRST && quorum !== 1) problem(`${path}.parallel.quorum`, quorum, 'quorum 1 with combine first (the first answer wins)', 'remove quorum, or use mean, weighted-mean or vote');
    return ctx.problems.length > start ? undefined : { kind, steps, combine, quorum };
  },
};
