#!/usr/bin/env python3
"""cdk-mlops staging wrapper for AWS Batch: honours the SageMaker container contract.

Before the training command: downloads the training channel from MLOPS_INPUT_URI into
<root>/input/data/training, writes <root>/input/config/hyperparameters.json from
MLOPS_HYPERPARAMETERS and restores checkpoints from MLOPS_CHECKPOINT_URI. Then runs the command
(MLOPS_TRAINING_COMMAND, a JSON array). After it: uploads <root>/model to
<MLOPS_OUTPUT_URI>output/model/, <root>/output/data to .../output/data/ and checkpoints back, also
when the command failed (its exit code is kept). <root> is MLOPS_ML_ROOT, default /opt/ml.

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
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

UNSIGNED = 'UNSIGNED-PAYLOAD'


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


class S3(object):
    def __init__(self, region, endpoint=None):
        self.region = region
        self.endpoint = endpoint.rstrip('/') if endpoint else None

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
        if size > 5 * 1024 ** 3:
            raise RuntimeError('%s is %d bytes, over the 5 GiB single-upload limit of the staging wrapper; write smaller files' % (path, size))
        headers = {}
        if kms_key:
            headers['x-amz-server-side-encryption'] = 'aws:kms'
            headers['x-amz-server-side-encryption-aws-kms-key-id'] = kms_key
        with open(path, 'rb') as f:
            def body():
                f.seek(0)
                return f
            self.request('PUT', bucket, key, body=body, length=size, headers=headers).close()


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
    if checkpoint_uri:
        log('restored %d checkpoint file(s)' % sync_down(s3, checkpoint_uri, dirs['checkpoints']))

    child = subprocess.Popen(command)

    def forward(signum, _frame):
        # Batch stops jobs (and Spot reclaims instances) with SIGTERM: let the code checkpoint.
        child.send_signal(signum)
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    code = child.wait()
    log('training command exited with %d' % code)

    if code != 0:
        with open(os.path.join(root, 'output', 'failure'), 'a') as f:
            f.write('training command %s exited with %d\n' % (json.dumps(command), code))
        sync_up_file(s3, os.path.join(root, 'output', 'failure'), output_uri + 'output/failure', kms_key)
    uploaded = sync_up(s3, dirs['model'], output_uri + 'output/model/', kms_key)
    uploaded += sync_up(s3, dirs['output'], output_uri + 'output/data/', kms_key)
    if checkpoint_uri:
        sync_up(s3, dirs['checkpoints'], checkpoint_uri if checkpoint_uri.endswith('/') else checkpoint_uri + '/', kms_key)
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
