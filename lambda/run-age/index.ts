// Hourly: publishes the age of a model's newest successful training or batch inference, for
// the missed-run alarms of schedules longer than CloudWatch's 7-day alarm window.
import { SFNClient } from '@aws-sdk/client-sfn';
import { RunAgeEvent, publishRunAge } from '../shared/monitoring/run-age';

let sfn: SFNClient | undefined;

export async function handler(event: RunAgeEvent): Promise<{ hours: number; since: string }> {
  sfn ??= new SFNClient({});
  return publishRunAge(event, { sfn, now: new Date(), write: (line) => process.stdout.write(`${line}\n`) });
}
