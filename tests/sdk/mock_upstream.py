"""A minimal OpenAI-compatible upstream for the SDK test, on 127.0.0.1 with a random port.

It answers like a provider would: fixed completions with usage, SSE streams with a role-only
first chunk, optional usage chunk and a [DONE] terminator, and a model that always fails.
Every request is recorded so tests can assert what the proxy forwarded.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWER = "Both options are defensible; I recommend Choice 2."
FAILING_MODEL = "always-500"


def completion(model):
    return {
        "id": "chatcmpl-mock-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "system_fingerprint": "fp_mock",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": ANSWER},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 11, "completion_tokens": 9, "total_tokens": 20},
    }


def chunk(model, delta, finish=None, usage=None):
    body = {
        "id": "chatcmpl-mock-2",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": model,
        "choices": [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage:
        body["usage"] = usage
    return body


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.server.seen.append(("GET", self.path, None, dict(self.headers)))
        if self.path.endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": "mock-model", "object": "model"}]})
        else:
            self._json(404, {"error": {"message": "no route", "type": "invalid_request_error"}})

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.seen.append(("POST", self.path, body, dict(self.headers)))
        model = body.get("model", "")
        if model == FAILING_MODEL:
            self._json(500, {"error": {"message": "upstream exploded", "type": "server_error"}})
            return
        if self.path.endswith("/chat/completions"):
            if body.get("stream"):
                self._stream(model, body)
            else:
                self._json(200, completion(model))
        elif self.path.endswith("/embeddings"):
            self._json(
                200,
                {
                    "object": "list",
                    "data": [{"object": "embedding", "index": 0, "embedding": [0.25, -0.5, 1.0]}],
                    "model": model,
                    "usage": {"prompt_tokens": 3, "total_tokens": 3},
                },
            )
        elif self.path.endswith("/completions"):
            self._json(
                200,
                {
                    "id": "cmpl-mock",
                    "object": "text_completion",
                    "created": 1700000000,
                    "model": model,
                    "choices": [{"index": 0, "text": " world", "finish_reason": "stop", "logprobs": None}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                },
            )
        else:
            self._json(404, {"error": {"message": "no route", "type": "invalid_request_error"}})

    def _stream(self, model, body):
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        events = [chunk(model, {"role": "assistant", "content": ""})]
        for word in ANSWER.split(" "):
            events.append(chunk(model, {"content": word + " "}))
        events.append(chunk(model, {}, finish="stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append(chunk(model, None, usage={"prompt_tokens": 11, "completion_tokens": 9, "total_tokens": 20}))
        for ev in events:
            self._chunked(b"data: " + json.dumps(ev).encode() + b"\n\n")
            time.sleep(0.01)
        self._chunked(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _chunked(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()


def start():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server
