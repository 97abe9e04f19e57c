// Global flags before the command (`mlops --local models`, as users type with git) mean the same
// as after it; an error's message carries a name only when the name says something.
import fc from 'fast-check';
import { parseCommandLine } from '../../cli/command-line';
import { describeError } from '../../cli/describe-error';

describe('global flags before the command', () => {
  test.each([
    [['--local', 'models'], 'models', { local: true }],
    [['--platform', 'prod', '--json', 'versions', 'demand'], 'versions', { platform: 'prod', json: true }],
    [['--registry-table=t1', 'local', 'up'], 'local up', { 'registry-table': 't1' }],
  ])('%j', (argv, command, flags) => {
    const line = parseCommandLine(argv);
    expect(line.command.name).toBe(command);
    expect(line.args.flags).toMatchObject(flags);
  });

  test('any placement of --local and --json around a command parses to the same command line', () => {
    const globals = fc.subarray(['--local', '--json']);
    fc.assert(fc.property(globals, globals, (before, after) => {
      const line = parseCommandLine([...before, 'versions', 'demand', '--category', 'books', ...after]);
      expect(line.command.name).toBe('versions');
      expect(line.args.positionals).toEqual(['demand']);
      expect(line.args.flags).toMatchObject({ category: 'books', ...Object.fromEntries([...before, ...after].map((f) => [f.slice(2), true])) });
    }));
  });

  test('an unknown flag before the command is still refused as the command', () => {
    expect(() => parseCommandLine(['--nope', 'models'])).toThrow(/unknown command "--nope"/);
  });
});

test('a plain Error is reported by its message alone; a named (AWS) error keeps its name', () => {
  expect(describeError(new Error('model "m": training.image is x'), {}, false).message).toBe('model "m": training.image is x');
  expect(describeError(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }), {}, false).message).toBe('ThrottlingException: Rate exceeded');
});
