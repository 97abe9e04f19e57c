#!/usr/bin/env python3
"""cdk-mlops staging wrapper of an ingestion job: the job writes files, the platform uploads them.

Runs the job's command (MLOPS_INGEST_COMMAND, a JSON array) with MLOPS_MODE=ingest and the window
(MLOPS_INGEST_WINDOW_START / _END, ISO instants) in its environment. The command writes
<root>/output/data/<category>/<files> (csv with a header, or jsonl) and nothing else. When it
exits 0, every file under <root>/output/data/ is uploaded to MLOPS_INGEST_OUTPUT_URI (keys
relative to that folder, SSE-KMS with MLOPS_KMS_KEY_ID); the delivery step then checks and
writes them. A failed command uploads nothing and keeps its exit code, so the window fails and
can be re-run. SIGTERM (ECS stopping the task) is forwarded to the command.

Python 3 standard library only. S3 access and credentials are the Batch staging wrapper's
(container/batch-entrypoint/entrypoint.py), loaded before this file as the module mlops_stager.
<root> is MLOPS_ML_ROOT, default /opt/ml.
"""
import json
import os
import signal
import subprocess
import sys

import mlops_stager as stager


def outside_categories(output_dir):
    """Files directly under output/data/: the delivery reads <category>/ folders only."""
    return sorted(n for n in os.listdir(output_dir) if os.path.isfile(os.path.join(output_dir, n)))


def main():
    env = os.environ
    root = env.get('MLOPS_ML_ROOT', '/opt/ml')
    command = json.loads(env.get('MLOPS_INGEST_COMMAND') or '[]')
    if not isinstance(command, list) or not command:
        raise SystemExit('MLOPS_INGEST_COMMAND must be a non-empty JSON array')
    output_uri = env['MLOPS_INGEST_OUTPUT_URI']
    if not output_uri.endswith('/'):
        output_uri += '/'
    output_dir = os.path.join(root, 'output', 'data')
    os.makedirs(output_dir, exist_ok=True)

    child_env = dict(env)
    child_env['MLOPS_MODE'] = 'ingest'
    # The job only writes files: where they go is the platform's business.
    for name in ('MLOPS_INGEST_OUTPUT_URI', 'MLOPS_INGEST_COMMAND', 'MLOPS_STAGER', 'MLOPS_INGEST_STAGER'):
        child_env.pop(name, None)
    child = subprocess.Popen(command, env=child_env)
    signal.signal(signal.SIGTERM, lambda signum, _frame: child.send_signal(signum))
    code = child.wait()
    if code < 0:  # killed by a signal: report it the way a shell does
        code = 128 - code
    if code != 0:
        stager.log('ingestion command exited with %d: nothing uploaded, the window fails (re-run it once fixed)' % code)
        return code
    stray = outside_categories(output_dir)
    if stray:
        raise RuntimeError('%s written directly under %s: write each file under a category folder, e.g. %s/<category>/%s'
                           % (', '.join(stray), output_dir, output_dir, stray[0]))
    region = env.get('AWS_REGION') or env.get('AWS_DEFAULT_REGION') or 'us-east-1'
    s3 = stager.S3(region, env.get('MLOPS_S3_ENDPOINT'))
    n = stager.sync_up(s3, output_dir, output_uri, env.get('MLOPS_KMS_KEY_ID') or None)
    stager.log('ingestion command exited with 0; uploaded %d file(s) to %s' % (n, output_uri))
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except Exception as e:  # a readable reason in the task's stopped reason and logs
        stager.log('failed: %s' % e)
        sys.exit(2)
