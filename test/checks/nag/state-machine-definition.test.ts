// Reading a state machine definition from the template: CDK renders it as an Fn::Join of JSON
// text and intrinsics; every intrinsic must come out as "present, unknown", wherever it stands.
import { CfnParameter, Stack } from 'aws-cdk-lib';
import fc from 'fast-check';
import { UnreadableDefinitionError, allStates, stateMachineDefinition } from '../../../lib/checks/nag/support/state-machine-definition';
import { TOKEN_MARKER } from '../../../lib/checks/nag/support/values';
import { fixtureStack } from './fixtures';

/** A leaf of a generated definition: what goes into CDK, and what the reader must give back. */
type Leaf = { value: unknown; expected: unknown };

function leaves(stack: Stack): fc.Arbitrary<Leaf> {
  const text = new CfnParameter(stack, 'Text').valueAsString;
  const count = new CfnParameter(stack, 'Count', { type: 'Number' }).valueAsNumber;
  const plain = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)).map((v) => ({ value: v, expected: v }));
  const tokens = fc.constantFrom<Leaf>(
    { value: text, expected: TOKEN_MARKER },
    { value: count, expected: TOKEN_MARKER },
    { value: `arn:${stack.partition}:iam::${stack.account}:role/x`, expected: `arn:${TOKEN_MARKER}:iam::${TOKEN_MARKER}:role/x` },
  );
  return fc.oneof(plain, tokens);
}

test('any definition CDK renders with tokens in string or value position reads back with each token as the marker', () => {
  const stack = fixtureStack();
  const leaf = leaves(stack);
  const tree = fc.letrec<{ node: Leaf }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.array(tie('node'), { maxLength: 4 }).map((xs) => ({ value: xs.map((x) => x.value), expected: xs.map((x) => x.expected) })),
      fc.dictionary(fc.string({ minLength: 1 }), tie('node'), { maxKeys: 4 }).map((o) => ({
        value: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.value])),
        expected: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.expected])),
      })),
    ),
  })).node;
  fc.assert(fc.property(tree, ({ value, expected }) => {
    const definitionString = stack.resolve(stack.toJsonString({ States: value }));
    expect(stateMachineDefinition({ DefinitionString: definitionString })).toEqual({ States: expected });
  }));
});

test('DefinitionSubstitutions: literal values are written in, intrinsic ones are tokens; without substitutions ${...} is text', () => {
  const definition = '{"States":{"A":{"Type":"Task","Resource":"${Fn}","Parameters":{"RoleArn":"${Role}","Note":"${Other}"}}}}';
  expect(stateMachineDefinition({ DefinitionString: definition, DefinitionSubstitutions: { Fn: 'arn:aws:states:::sagemaker:createTrainingJob', Role: { 'Fn::GetAtt': ['R', 'Arn'] } } }))
    .toEqual({ States: { A: { Type: 'Task', Resource: 'arn:aws:states:::sagemaker:createTrainingJob', Parameters: { RoleArn: TOKEN_MARKER, Note: TOKEN_MARKER } } } });
  expect(stateMachineDefinition({ DefinitionString: definition })).toEqual(JSON.parse(definition));
});

test('states nested in Map (ItemProcessor, Iterator) and Parallel branches are all found', () => {
  const definition = {
    States: {
      Plan: { Type: 'Pass' },
      Each: { Type: 'Map', ItemProcessor: { States: { Train: { Type: 'Task' } } } },
      Old: { Type: 'Map', Iterator: { States: { Score: { Type: 'Task' } } } },
      Both: { Type: 'Parallel', Branches: [{ States: { Left: { Type: 'Pass' } } }, { States: { Right: { Type: 'Task' } } }] },
    },
  };
  expect(allStates(definition).map((s) => s.name).sort()).toEqual(['Both', 'Each', 'Left', 'Old', 'Plan', 'Right', 'Score', 'Train']);
});

test('a definition outside the template, or one that is not JSON, is an error that says what to do', () => {
  expect(() => stateMachineDefinition({ DefinitionS3Location: { Bucket: 'b', Key: 'k' } })).toThrow(UnreadableDefinitionError);
  expect(() => stateMachineDefinition({ DefinitionS3Location: { Bucket: 'b', Key: 'k' } })).toThrow(/DefinitionS3Location.*inline it.*or acknowledge/);
  expect(() => stateMachineDefinition({ DefinitionString: '{"States": ' })).toThrow(/not valid JSON/);
});
