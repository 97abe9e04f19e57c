"""Real-time serving (MLOPS_MODE=serve, or the argument "serve" that SageMaker hosting passes):
the SageMaker hosting contract with the Python standard library.

    GET  /ping         200 once the model is loaded
    POST /invocations  {"features": {"date"?: "YYYY-MM-DD", "store_id"?: "..."}, "entityId"?: "store-001"}
                       -> 200 {"prediction": 57.3, "date": "YYYY-MM-DD"}; 400 {"error"} for a bad input

The model comes from /opt/ml/model/model.json (SageMaker unpacks the version's artifact there).
The store is the entityId, else features.store_id; the day is features.date, else the day after
the model's newest training day. Port 8080, or SAGEMAKER_BIND_TO_PORT when SageMaker sets it.
"""
import json
import os
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import common
from train import predict

DEFAULT_PORT = 8080
MAX_BODY_BYTES = 64 * 1024
# Tests only: seconds every invocation waits before answering (a slow model). Unset in images.
DELAY_SECONDS = float(os.environ.get("MLOPS_SERVE_DELAY_SECONDS", "0"))


class BadInput(ValueError):
    """An input the model cannot answer: 400, and the front end answers from its fallback rules."""


def load_model():
    file = os.path.join(common.MODEL_DIR, "model.json")
    if not os.path.exists(file):
        common.fail(f"no model at {file}: serving needs the trained model (SageMaker unpacks the version's model.tar.gz into /opt/ml/model)")
    with open(file, encoding="utf-8") as f:
        return json.load(f)


def answer(model, request):
    if not isinstance(request, dict):
        raise BadInput('send a JSON object {"features": {...}, "entityId"?: "..."}')
    features = request.get("features", {})
    if not isinstance(features, dict):
        raise BadInput(f"features must be an object, but {json.dumps(features)} was sent")
    store = request.get("entityId") or features.get("store_id")
    if not isinstance(store, str) or store not in model["stores"]:
        raise BadInput(f"unknown store {json.dumps(store)}: send a trained store as entityId or features.store_id")
    raw_day = features.get("date")
    try:
        day = date.fromisoformat(raw_day) if raw_day is not None else date.fromisoformat(model["stores"][store]["lastDay"]) + timedelta(days=1)
    except (TypeError, ValueError):
        raise BadInput(f"features.date must be YYYY-MM-DD, but {json.dumps(raw_day)} was sent")
    return {"prediction": round(predict(model, store, day), 3), "date": day.isoformat()}


def handler_for(model):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: the front end reuses its connections
        # Headers and body go out as two writes: without TCP_NODELAY, Nagle's algorithm holds the
        # body until the client's delayed ACK (~40 ms per request).
        disable_nagle_algorithm = True

        def do_GET(self):
            if self.path == "/ping":
                self.send_json(200, {"status": "ok"})
            else:
                self.send_json(404, {"error": f"no route for GET {self.path}: use GET /ping or POST /invocations"})

        def do_POST(self):
            length = int(self.headers.get("content-length") or 0)
            if self.path != "/invocations":
                self.discard(length)
                return self.send_json(404, {"error": f"no route for POST {self.path}: use POST /invocations"})
            if length > MAX_BODY_BYTES:
                self.discard(length)
                return self.send_json(413, {"error": f"the body is larger than {MAX_BODY_BYTES} bytes"})
            raw = self.rfile.read(length)
            if DELAY_SECONDS:
                time.sleep(DELAY_SECONDS)
            try:
                self.send_json(200, answer(model, json.loads(raw or b"null")))
            except json.JSONDecodeError as e:
                self.send_json(400, {"error": f"the body is not valid JSON ({e})"})
            except BadInput as e:
                self.send_json(400, {"error": str(e)})

        def discard(self, length):
            self.rfile.read(min(length, MAX_BODY_BYTES + 1))
            self.close_connection = True

        def send_json(self, status, body):
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass  # one line per request would cost more than the prediction

    return Handler


def main():
    model = load_model()
    port = int(os.environ.get("SAGEMAKER_BIND_TO_PORT", DEFAULT_PORT))
    server = ThreadingHTTPServer(("0.0.0.0", port), handler_for(model))
    server.daemon_threads = True
    print(json.dumps({"message": "serving", "model": model.get("model"), "category": model.get("category"), "port": port}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
