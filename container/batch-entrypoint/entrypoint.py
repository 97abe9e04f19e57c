#!/usr/bin/env python3
"""cdk-mlops staging wrapper for AWS Batch: honours the SageMaker container contract.

Before the training command: downloads the training channel from MLOPS_INPUT_URI into
<root>/input/data/training, writes <root>/input/config/hyperparameters.json from
MLOPS_HYPERPARAMETERS and restores checkpoints from MLOPS_CHECKPOINT_URI. Then runs the command
(MLOPS_TRAINING_COMMAND, a JSON array). While it runs: syncs new or changed checkpoints every
MLOPS_CHECKPOINT_SYNC_SECONDS (default 300), and on SIGTERM (Batch stopping the job, a Spot
reclaim: SIGKILL follows 30 s later) forwards it, gives the command up to 20 s to write a last
checkpoint, and syncs. After it: uploads <root>/model to <MLOPS_OUTPUT_URI>output/model/,
<root>/output/data to .../output/data/ and checkpoints back, also when the command failed (its
exit code is kept). A checkpoint that cannot be restored or saved is logged and never fails the
run. Files over 64 MiB go up in multipart uploads (up to S3's 5 TiB). <root> is MLOPS_ML_ROOT,
default /opt/ml.

Python 3 standard library only (ML images have python3 but not always boto3); S3 requests are
signed with SigV4 by hand using the container credentials Batch/ECS provide.
"""
import datetime
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

UNSIGNED = 'UNSIGNED-PAYLOAD'
MIB = 1024 ** 2
# S3 multipart limits: at most 10,000 parts, objects up to 5 TiB.
MAX_PARTS, MAX_OBJECT = 10000, 5 * 1024 ** 4
DEFAULT_PART = 64 * MIB
# Spot reclaim: SIGKILL comes 30 s after SIGTERM; leave time to upload after the last checkpoint.
SIGTERM_GRACE_SECONDS = 20


def log(msg):
    print('[mlops-stager] %s' % msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- credentials

class Credentials(object):
    def __init__(self, key, secret, token=None, expires=None):
        self.key, self.secret, self.token, self.expires = key, secret, token, expires


_cached = {}


def credentials():
    c = _cached.get('c')
    if c is not None and (c.expires is None or c.expires - time.time() > 300):
        return c
    if os.environ.get('AWS_ACCESS_KEY_ID') and os.environ.get('AWS_SECRET_ACCESS_KEY'):
        c = Credentials(os.environ['AWS_ACCESS_KEY_ID'], os.environ['AWS_SECRET_ACCESS_KEY'], os.environ.get('AWS_SESSION_TOKEN'))
    else:
        rel = os.environ.get('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')
        url = ('http://169.254.170.2' + rel) if rel else os.environ.get('AWS_CONTAINER_CREDENTIALS_FULL_URI')
        if not url:
            raise RuntimeError('no AWS credentials: set a job role on the job definition (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is missing)')
        req = urllib.request.Request(url)
        token = os.environ.get('AWS_CONTAINER_AUTHORIZATION_TOKEN')
        if token:
            req.add_header('Authorization', token)
        with urllib.request.urlopen(req, timeout=10) as res:
            doc = json.loads(res.read().decode('utf-8'))
        exp = doc.get('Expiration')
        expires = datetime.datetime.strptime(exp[:19], '%Y-%m-%dT%H:%M:%S').replace(tzinfo=datetime.timezone.utc).timestamp() if exp else None
        c = Credentials(doc['AccessKeyId'], doc['SecretAccessKey'], doc.get('Token'), expires)
    _cached['c'] = c
    return c


# ---------------------------------------------------------------- SigV4

def _hmac(key, msg):
    return hmac.new(key, msg.encode('utf-8'), hashlib.sha256).digest()


def quote(s, safe='-_.~'):
    return urllib.parse.quote(s, safe=safe)


def sign(method, host, path, query, headers, region, creds, amz_date, payload_hash, service='s3'):
    """Returns headers (including Authorization) for a SigV4-signed request.

    path is the already-encoded canonical URI; query a dict of unencoded names to values.
    """
    headers = dict((k.lower(), str(v).strip()) for k, v in headers.items())
    headers['host'] = host
    headers['x-amz-date'] = amz_date
    headers['x-amz-content-sha256'] = payload_hash
    if creds.token:
        headers['x-amz-security-token'] = creds.token
    signed = sorted(headers)
    canonical_query = '&'.join('%s=%s' % (quote(k), quote(str(v))) for k, v in sorted(query.items()))
    canonical = '\n'.join([
        method, path, canonical_query,
        ''.join('%s:%s\n' % (h, headers[h]) for h in signed),
        ';'.join(signed), payload_hash,
    ])
    date = amz_date[:8]
    scope = '%s/%s/%s/aws4_request' % (date, region, service)
    to_sign = '\n'.join(['AWS4-HMAC-SHA256', amz_date, scope, hashlib.sha256(canonical.encode('utf-8')).hexdigest()])
    k = _hmac(_hmac(_hmac(_hmac(('AWS4' + creds.secret).encode('utf-8'), date), region), service), 'aws4_request')
    signature = hmac.new(k, to_sign.encode('utf-8'), hashlib.sha256).hexdigest()
    headers['authorization'] = 'AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s' % (creds.key, scope, ';'.join(signed), signature)
    return headers


# ---------------------------------------------------------------- S3

def parse_s3_uri(uri):
    if not uri or not uri.startswith('s3://'):
        raise ValueError('expected an s3://bucket/prefix URI, got %r' % (uri,))
    rest = uri[5:]
    bucket, _, prefix = rest.partition('/')
    return bucket, prefix


def plan_parts(size, part_size=DEFAULT_PART):
    """(part number, offset, length) of a multipart upload of `size` bytes: parts of part_size,
    larger when needed to stay within 10,000 parts (rounded up to a MiB)."""
    if size > MAX_OBJECT:
        raise RuntimeError('%d bytes is over the 5 TiB S3 object limit; write smaller files' % size)
    part = part_size
    if -(-size // part) > MAX_PARTS:
        part = -(-(-(-size // MAX_PARTS)) // MIB) * MIB
    return [(i + 1, offset, min(part, size - offset)) for i, offset in enumerate(range(0, size, part))]


class S3(object):
    def __init__(self, region, endpoint=None, part_size=DEFAULT_PART):
        self.region = region
        self.endpoint = endpoint.rstrip('/') if endpoint else None
        # Files up to one part go up in a single PUT, larger ones in parts (5 MiB..5 GiB each).
        self.part_size = part_size

    def _target(self, bucket, key):
        path_key = '/' + quote(key, safe='-_.~/') if key else '/'
        if self.endpoint:  # emulators: path-style
            parsed = urllib.parse.urlparse(self.endpoint)
            return parsed.scheme, parsed.netloc, '/' + bucket + (path_key if key else '/')
        return 'https', '%s.s3.%s.amazonaws.com' % (bucket, self.region), path_key

    def request(self, method, bucket, key='', query=None, body=None, length=None, headers=None, attempts=5):
        query = query or {}
        for attempt in range(attempts):
            scheme, host, path = self._target(bucket, key)
            amz_date = datetime.datetime.now(datetime.timezone.utc).strftime('%Y%m%dT%H%M%SZ')
            extra = dict(headers or {})
            if length is not None:
                extra['content-length'] = str(length)
            signed = sign(method, host, path, query, extra, self.region, credentials(), amz_date, UNSIGNED)
            url = '%s://%s%s' % (scheme, host, path)
            if query:
                url += '?' + '&'.join('%s=%s' % (quote(k), quote(str(v))) for k, v in sorted(query.items()))
            data = body() if callable(body) else body
            req = urllib.request.Request(url, data=data, method=method, headers=signed)
            try:
                return urllib.request.urlopen(req, timeout=300)
            except urllib.error.HTTPError as e:
                detail = e.read()[:500]
                if e.code in (500, 502, 503, 504) and attempt + 1 < attempts:
                    time.sleep(min(20, 2 ** attempt))
                    continue
                raise RuntimeError('S3 %s s3://%s/%s failed: HTTP %s %s' % (method, bucket, key, e.code, detail.decode('utf-8', 'replace')))
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                if attempt + 1 < attempts:
                    time.sleep(min(20, 2 ** attempt))
                    continue
                raise RuntimeError('S3 %s s3://%s/%s failed: %s' % (method, bucket, key, e))

    def list(self, bucket, prefix):
        token = None
        while True:
            q = {'list-type': '2', 'prefix': prefix}
            if token:
                q['continuation-token'] = token
            with self.request('GET', bucket, '', q) as res:
                root = ET.fromstring(res.read())
            for c in _children(root, 'Contents'):
                yield _text(c, 'Key'), int(_text(c, 'Size'))
            if _text(root, 'IsTruncated') != 'true':
                return
            token = _text(root, 'NextContinuationToken')

    def download(self, bucket, key, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with self.request('GET', bucket, key) as res, open(path, 'wb') as out:
            while True:
                chunk = res.read(1 << 20)
                if not chunk:
                    break
                out.write(chunk)

    def upload(self, path, bucket, key, kms_key=None):
        size = os.path.getsize(path)
        headers = {}
        if kms_key:
            headers['x-amz-server-side-encryption'] = 'aws:kms'
            headers['x-amz-server-side-encryption-aws-kms-key-id'] = kms_key
        if size > self.part_size:
            return self.upload_parts(path, size, bucket, key, headers)
        with open(path, 'rb') as f:
            def body():
                f.seek(0)
                return f
            self.request('PUT', bucket, key, body=body, length=size, headers=headers).close()

    def upload_parts(self, path, size, bucket, key, headers):
        with self.request('POST', bucket, key, {'uploads': ''}, body=b'', length=0, headers=headers) as res:
            upload_id = _text(ET.fromstring(res.read()), 'UploadId')
        try:
            etags = []
            with open(path, 'rb') as f:
                for number, offset, length in plan_parts(size, self.part_size):
                    def body(offset=offset, length=length):
                        f.seek(offset)
                        return f.read(length)
                    with self.request('PUT', bucket, key, {'partNumber': number, 'uploadId': upload_id}, body=body, length=length) as res:
                        etags.append((number, res.headers.get('ETag')))
            doc = ('<CompleteMultipartUpload>%s</CompleteMultipartUpload>' % ''.join(
                '<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>' % p for p in etags)).encode('utf-8')
            with self.request('POST', bucket, key, {'uploadId': upload_id}, body=doc, length=len(doc)) as res:
                answer = res.read()
            if b'<Error>' in answer:  # S3 may report a failed completion in a 200 answer
                raise RuntimeError('S3 could not complete the upload of s3://%s/%s: %s' % (bucket, key, answer[:500].decode('utf-8', 'replace')))
        except BaseException:
            try:
                self.request('DELETE', bucket, key, {'uploadId': upload_id}, attempts=1).close()
            except Exception as e:
                log('could not abort the multipart upload of s3://%s/%s (the bucket lifecycle removes it): %s' % (bucket, key, e))
            raise


def _local(tag):
    # Match by local name: the namespace differs between S3 and emulators.
    return tag.rsplit('}', 1)[-1]


def _children(node, name):
    return [c for c in node if _local(c.tag) == name]


def _text(node, name):
    found = _children(node, name)
    return found[0].text if found else None


# ---------------------------------------------------------------- staging

def sync_down(s3, uri, target):
    bucket, prefix = parse_s3_uri(uri)
    n = 0
    for key, size in s3.list(bucket, prefix):
        rel = key[len(prefix):].lstrip('/')
        if not rel or key.endswith('/'):
            continue
        dest = os.path.normpath(os.path.join(target, rel))
        if not dest.startswith(os.path.normpath(target) + os.sep):
            raise RuntimeError('refusing to write %s outside %s' % (key, target))
        s3.download(bucket, key, dest)
        n += 1
    return n


def sync_up(s3, source, uri, kms_key):
    if not os.path.isdir(source):
        return 0
    bucket, prefix = parse_s3_uri(uri)
    n = 0
    for dirpath, _, files in os.walk(source):
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, source).replace(os.sep, '/')
            s3.upload(path, bucket, prefix + rel, kms_key)
            n += 1
    return n


class CheckpointSync(object):
    """Uploads new or changed checkpoint files. Never raises: a checkpoint that cannot be saved
    costs a restart from an older one, not the run."""

    def __init__(self, s3, source, uri, kms_key):
        self.s3, self.source, self.kms_key = s3, source, kms_key
        self.bucket, self.prefix = parse_s3_uri(uri if uri.endswith('/') else uri + '/')
        self.synced = {}
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def _files(self):
        for dirpath, _, files in os.walk(self.source):
            for name in sorted(files):
                path = os.path.join(dirpath, name)
                st = os.stat(path)
                yield path, os.path.relpath(path, self.source).replace(os.sep, '/'), (st.st_size, st.st_mtime_ns)

    def mark_synced(self):
        """The files present now (just restored) are in S3 already."""
        self.synced = dict((rel, sig) for _, rel, sig in self._files())

    def sync(self, why, always_log=False):
        with self.lock:
            n = 0
            try:
                for path, rel, sig in self._files():
                    if self.synced.get(rel) != sig:
                        self.s3.upload(path, self.bucket, self.prefix + rel, self.kms_key)
                        self.synced[rel] = sig
                        n += 1
            except Exception as e:
                log('checkpoint sync (%s) failed, the run goes on: %s' % (why, e))
                return False
            if n or always_log:
                log('synced %d checkpoint file(s) (%s)' % (n, why))
            return True

    def start(self, interval):
        def loop():
            while not self.stopped.wait(interval):
                self.sync('periodic')
        threading.Thread(target=loop, name='checkpoint-sync', daemon=True).start()

    def stop(self):
        self.stopped.set()


def wait_for(child, terminated, checkpoints):
    """Waits for the command; after a SIGTERM, syncs checkpoints once the grace time is over even
    if the command is still running (SIGKILL is near)."""
    synced_after_term = False
    while True:
        try:
            return child.wait(timeout=1)
        except subprocess.TimeoutExpired:
            pass
        at = terminated.get('at')
        if at is not None and not synced_after_term and time.time() - at >= SIGTERM_GRACE_SECONDS:
            synced_after_term = True
            if checkpoints:
                checkpoints.sync('SIGTERM, command still running')


def main():
    env = os.environ
    root = env.get('MLOPS_ML_ROOT', '/opt/ml')
    region = env.get('AWS_REGION') or env.get('AWS_DEFAULT_REGION') or 'us-east-1'
    s3 = S3(region, env.get('MLOPS_S3_ENDPOINT'))
    kms_key = env.get('MLOPS_KMS_KEY_ID') or None
    output_uri = env['MLOPS_OUTPUT_URI']
    if not output_uri.endswith('/'):
        output_uri += '/'
    command = json.loads(env['MLOPS_TRAINING_COMMAND'])
    if not isinstance(command, list) or not command:
        raise SystemExit('MLOPS_TRAINING_COMMAND must be a non-empty JSON array')

    dirs = {
        'training': os.path.join(root, 'input', 'data', 'training'),
        'config': os.path.join(root, 'input', 'config'),
        'model': os.path.join(root, 'model'),
        'output': os.path.join(root, 'output', 'data'),
        'checkpoints': os.path.join(root, 'checkpoints'),
    }
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
    n = sync_down(s3, env['MLOPS_INPUT_URI'], dirs['training'])
    log('staged %d input file(s) into %s' % (n, dirs['training']))
    hp = json.loads(env.get('MLOPS_HYPERPARAMETERS') or '{}')
    with open(os.path.join(dirs['config'], 'hyperparameters.json'), 'w') as f:
        json.dump(dict((k, str(v)) for k, v in hp.items()), f)
    with open(os.path.join(dirs['config'], 'inputdataconfig.json'), 'w') as f:
        json.dump({'training': {'TrainingInputMode': 'File', 'S3DistributionType': 'FullyReplicated'}}, f)
    checkpoint_uri = env.get('MLOPS_CHECKPOINT_URI')
    checkpoints = None
    if checkpoint_uri:
        checkpoints = CheckpointSync(s3, dirs['checkpoints'], checkpoint_uri, kms_key)
        try:
            log('restored %d checkpoint file(s)' % sync_down(s3, checkpoint_uri, dirs['checkpoints']))
        except Exception as e:
            log('could not restore checkpoints, training starts from scratch: %s' % e)
        checkpoints.mark_synced()

    child = subprocess.Popen(command)
    terminated = {}

    def forward(signum, _frame):
        # Batch stops jobs (and Spot reclaims instances) with SIGTERM: let the code checkpoint.
        if signum == signal.SIGTERM:
            terminated.setdefault('at', time.time())
            if checkpoints:  # from now on, only the final sync uploads (no contention near SIGKILL)
                checkpoints.stop()
        child.send_signal(signum)
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    if checkpoints:
        checkpoints.start(float(env.get('MLOPS_CHECKPOINT_SYNC_SECONDS') or 300))
    code = wait_for(child, terminated, checkpoints)
    if code < 0:  # killed by a signal: report it the way a shell does
        code = 128 - code
    log('training command exited with %d' % code)
    if checkpoints:  # first: after a SIGTERM, the seconds left are for the checkpoint
        checkpoints.stop()
        checkpoints.sync('SIGTERM' if terminated else 'command exited', always_log=True)

    if code != 0:
        with open(os.path.join(root, 'output', 'failure'), 'a') as f:
            f.write('training command %s exited with %d\n' % (json.dumps(command), code))
        sync_up_file(s3, os.path.join(root, 'output', 'failure'), output_uri + 'output/failure', kms_key)
    uploaded = sync_up(s3, dirs['model'], output_uri + 'output/model/', kms_key)
    uploaded += sync_up(s3, dirs['output'], output_uri + 'output/data/', kms_key)
    log('uploaded %d output file(s) to %s' % (uploaded, output_uri))
    return code


def sync_up_file(s3, path, uri, kms_key):
    bucket, key = parse_s3_uri(uri)
    s3.upload(path, bucket, key, kms_key)


if __name__ == '__main__':
    try:
        sys.exit(main())
    except Exception as e:  # a readable reason in the Batch job's status
        log('failed: %s' % e)
        sys.exit(2)
