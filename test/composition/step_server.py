"""A composition step under the serving contract (GET /ping, POST /invocations), Python standard
library only, for the composition tests. STEP_ROLE chooses what it does with the document:

    preprocess   {"features": {"store": 2, ...}} -> {"features": {"store_id": "store-002", ...}}
    postprocess  {"prediction": 57.3, ...}       -> {"prediction": {"units": 57, "rounded": true}}
    constant     anything                        -> {"prediction": <STEP_VALUE as JSON>}
    fail         anything                        -> 500
STEP_DELAY_SECONDS makes every answer wait (a slow step). The port is SAGEMAKER_BIND_TO_PORT.
"""
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROLE = os.environ["STEP_ROLE"]
DELAY = float(os.environ.get("STEP_DELAY_SECONDS", "0"))
VALUE = json.loads(os.environ.get("STEP_VALUE", "null"))


def answer(doc):
    if ROLE == "preprocess":
        features = dict(doc.get("features") or {})
        store = features.pop("store", None)
        if not isinstance(store, int):
            return 400, {"error": f"features.store must be a store number, but {json.dumps(store)} was sent"}
        return 200, {"features": {**features, "store_id": f"store-{store:03d}"}}
    if ROLE == "postprocess":
        return 200, {"prediction": {"units": round(doc["prediction"]), "rounded": True}}
    if ROLE == "constant":
        return 200, {"prediction": VALUE}
    return 500, {"error": "this step always fails"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self):
        self.send(200 if self.path == "/ping" else 404, {"status": "ok"})

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        if DELAY:
            time.sleep(DELAY)
        self.send(*answer(json.loads(raw)))

    def send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(os.environ["SAGEMAKER_BIND_TO_PORT"])), Handler).serve_forever()
