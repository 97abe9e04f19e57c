import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** A command as the wrapper sees it: its class name and input. */
export interface SeenCommand {
  readonly name: string;
  readonly input: Record<string, unknown>;
}

/**
 * Wraps a real document client (DynamoDB Local) and lets a test run `before` ahead of each
 * command: throw to inject a fault (throttling), or await another operation to inject a race.
 * Every command that is not intercepted reaches the emulator unchanged.
 */
export function faultyDoc(real: DynamoDBDocumentClient, before: (cmd: SeenCommand) => Promise<void> | void): DynamoDBDocumentClient {
  return new Proxy(real, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
        await before({ name: cmd.constructor.name, input: cmd.input });
        return target.send(cmd as never);
      };
    },
  });
}

/** The error DynamoDB answers when a request is throttled after the SDK's own retries. */
export function throttled(): Error {
  return Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException', $fault: 'client' });
}

/** True for the registry's "record that the model has this category" update. */
export function isAddCategory(cmd: SeenCommand): boolean {
  return cmd.name === 'UpdateCommand' && String(cmd.input.UpdateExpression).includes('ADD categories');
}
