// The backup of the platform's DynamoDB tables: point-in-time recovery always on by default,
// plus, when the owner passes one, a selection in an AWS Backup plan (vault lock, cross-account
// or cross-region copies, retention beyond PITR's 35 days).
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { NagFindings, acknowledgeNag } from './nag';

/** Adds `table` to `backupPlan` (selection `BackupSelection` next to it), or acknowledges PITR as its backup. */
export function backUpTable(table: dynamodb.Table, backupPlan: backup.IBackupPlan | undefined, pointInTimeRecovery: boolean): void {
  if (backupPlan === undefined) {
    if (pointInTimeRecovery) acknowledgeNag(table, NagFindings.tableWithPitr());
    return;
  }
  const selection = new backup.BackupSelection(table, 'BackupSelection', {
    backupPlan,
    resources: [backup.BackupResource.fromDynamoDbTable(table)],
  });
  acknowledgeNag(selection, NagFindings.backupServiceRole());
}
