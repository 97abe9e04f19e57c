#!/usr/bin/env python3
"""cdk-mlops start of the Fargate model service: the serving contract with the version's model.

Stages the served version's artifact into <root>/model the way SageMaker hosting does: every
object under MLOPS_MODEL_DATA_URL (the version's registered artifact prefix, or one
model.tar.gz) is downloaded and a model.tar.gz among them is unpacked in place. Then it replaces
itself with the image's serve command (MLOPS_SERVE_COMMAND, a JSON array) under MLOPS_MODE=serve.

Each promotion pins MLOPS_MODEL_DATA_URL in a new task definition revision. The revision the
deploy creates has none (no version exists yet): the wrapper then answers the contract itself,
GET /ping 200 and POST /invocations 503, so the service is healthy and the front end answers from
its fallback rules until the first promotion.

Python 3 standard library only. S3 access and credentials are the Batch staging wrapper's
(container/batch-entrypoint/entrypoint.py), loaded before this file as the module mlops_stager.
<root> is MLOPS_ML_ROOT, default /opt/ml.
"""
import json
import os
import sys
import tarfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import mlops_stager as stager

ARCHIVE = 'model.tar.gz'
DEFAULT_PORT = 8080


def unpack(archive, target):
    """Unpacks a model archive into target: regular files and folders only, nothing outside."""
    base = os.path.normpath(target)
    with tarfile.open(archive, 'r:*') as tar:
        members = tar.getmembers()
        for m in members:
            dest = os.path.normpath(os.path.join(base, m.name))
            if dest != base and not dest.startswith(base + os.sep):
                raise RuntimeError('refusing to unpack %s outside %s' % (m.name, target))
            if not (m.isfile() or m.isdir()):
                raise RuntimeError('refusing to unpack %s: only files and folders belong in a model archive' % m.name)
        if hasattr(tarfile, 'data_filter'):
            tar.extractall(base, members=members, filter='data')
        else:
            tar.extractall(base, members=members)
    return len(members)


def stage(s3, uri, model_dir):
    """Downloads the version's artifact into model_dir and unpacks its model.tar.gz; returns the files staged."""
    os.makedirs(model_dir, exist_ok=True)
    if uri.endswith('.tar.gz'):
        bucket, key = stager.parse_s3_uri(uri)
        archive = os.path.join(model_dir, ARCHIVE)
        s3.download(bucket, key, archive)
    else:
        if stager.sync_down(s3, uri if uri.endswith('/') else uri + '/', model_dir) == 0:
            raise RuntimeError('no model files under %s: the version\'s artifact is empty' % uri)
        archive = os.path.join(model_dir, ARCHIVE)
    if not os.path.exists(archive):
        return len(os.listdir(model_dir))
    n = unpack(archive, model_dir)
    os.remove(archive)
    return n


def placeholder(port):
    """The contract without a model: healthy, and every invocation refused with 503."""
    class Handler(BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def do_GET(self):
            if self.path == '/ping':
                self.reply(200, {'status': 'no version promoted yet'})
            else:
                self.reply(404, {'error': 'no route for GET %s' % self.path})

        def do_POST(self):
            self.rfile.read(min(int(self.headers.get('content-length') or 0), 1 << 20))
            self.reply(503, {'error': 'no version of this model is deployed yet: promote one (mlops promote <model> <version>)'})

        def reply(self, status, body):
            data = json.dumps(body).encode('utf-8')
            self.send_response(status)
            self.send_header('content-type', 'application/json')
            self.send_header('content-length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(('0.0.0.0', port), Handler)
    server.daemon_threads = True
    server.serve_forever()


def main():
    env = os.environ
    root = env.get('MLOPS_ML_ROOT', '/opt/ml')
    port = int(env.get('SAGEMAKER_BIND_TO_PORT') or DEFAULT_PORT)
    uri = env.get('MLOPS_MODEL_DATA_URL')
    if not uri:
        stager.log('no version pinned in this task definition: answering 503 until the first promotion')
        placeholder(port)
        return 0
    command = json.loads(env.get('MLOPS_SERVE_COMMAND') or '[]')
    if not isinstance(command, list) or not command:
        raise SystemExit('MLOPS_SERVE_COMMAND must be a non-empty JSON array')
    region = env.get('AWS_REGION') or env.get('AWS_DEFAULT_REGION') or 'us-east-1'
    s3 = stager.S3(region, env.get('MLOPS_S3_ENDPOINT'))
    n = stage(s3, uri, os.path.join(root, 'model'))
    stager.log('staged %d file(s) of version %s from %s' % (n, env.get('MLOPS_MODEL_VERSION', '?'), uri))
    env['MLOPS_MODE'] = 'serve'
    sys.stdout.flush()
    os.execvp(command[0], command)


if __name__ == '__main__':
    try:
        sys.exit(main())
    except Exception as e:  # a readable reason in the task's stopped reason and logs
        stager.log('failed: %s' % e)
        sys.exit(2)
