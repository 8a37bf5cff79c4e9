"""The official OpenAI Python SDK drives the real pluralis binary in front of a mock upstream.

Run by .ci/run (which builds the binary and installs the SDK into a venv):
    PLURALIS_BIN=target/debug/pluralis python -m pytest tests/sdk
"""

import os
import re
import subprocess
import sys
import tempfile
import time

import openai
import pytest

sys.path.insert(0, os.path.dirname(__file__))
import mock_upstream  # noqa: E402

CLIENT_KEY = "sdk-test-key"


@pytest.fixture(scope="module")
def upstream():
    server = mock_upstream.start()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def proxy(upstream):
    port = upstream.server_address[1]
    policy = f"""
listen = "127.0.0.1:0"
[auth]
keys_env = "PLURALIS_SDK_TEST_KEYS"
[[upstream]]
name = "mock"
kind = "openai"
base_url = "http://127.0.0.1:{port}/v1"
api_key_env = "PLURALIS_SDK_TEST_UPSTREAM_KEY"
models = ["mock-model", "{mock_upstream.FAILING_MODEL}"]
timeout_ms = 5000
retries = 1
backoff_ms = 10
"""
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write(policy)
        path = f.name
    binary = os.environ.get("PLURALIS_BIN", "target/debug/pluralis")
    env = dict(
        os.environ,
        PLURALIS_SDK_TEST_KEYS=CLIENT_KEY,
        PLURALIS_SDK_TEST_UPSTREAM_KEY="sk-upstream-secret",
        RUST_LOG="warn",
    )
    proc = subprocess.Popen(
        [binary, "serve", "--policy", path],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    line = proc.stdout.readline()  # "pluralis listening on http://127.0.0.1:PORT"
    match = re.search(r"http://(127\.0\.0\.1:\d+)", line)
    if not match:
        proc.kill()
        pytest.fail(f"proxy did not start: {line!r} {proc.stderr.read()}")
    yield f"http://{match.group(1)}/v1"
    proc.terminate()
    try:
        proc.wait(timeout=10)
    finally:
        proc.kill()
        os.unlink(path)


def client(base_url, key=CLIENT_KEY):
    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=10)


def test_non_streaming_completion_passes_through(proxy, upstream):
    reply = client(proxy).chat.completions.create(
        model="mock-model", messages=[{"role": "user", "content": "hello"}], temperature=0.3
    )
    assert reply.choices[0].message.content == mock_upstream.ANSWER
    assert reply.usage.total_tokens == 20
    assert reply.system_fingerprint == "fp_mock"
    method, path, body, headers = upstream.seen[-1]
    assert path == "/v1/chat/completions"
    assert body["temperature"] == 0.3
    # The upstream gets the upstream key from the environment, never the client's key.
    auth = {k.lower(): v for k, v in headers.items()}["authorization"]
    assert auth == "Bearer sk-upstream-secret"


def test_streaming_with_usage(proxy):
    stream = client(proxy).chat.completions.create(
        model="mock-model",
        messages=[{"role": "user", "content": "hello"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.strip() == mock_upstream.ANSWER
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 20


def test_models_completions_and_embeddings(proxy):
    c = client(proxy)
    ids = [m.id for m in c.models.list()]
    assert "mock-model" in ids
    emb = c.embeddings.create(model="mock-model", input="x")
    assert emb.data[0].embedding == [0.25, -0.5, 1.0]
    comp = c.completions.create(model="mock-model", prompt="hello")
    assert comp.choices[0].text == " world"


def test_unknown_model_is_a_typed_not_found(proxy):
    with pytest.raises(openai.NotFoundError) as err:
        client(proxy).chat.completions.create(
            model="no-such-model", messages=[{"role": "user", "content": "x"}]
        )
    assert "no-such-model" in err.value.message
    assert err.value.body["type"]


def test_bad_request_is_a_typed_bad_request(proxy):
    with pytest.raises(openai.BadRequestError) as err:
        client(proxy).chat.completions.create(model="", messages=[])
    assert err.value.status_code == 400


def test_wrong_key_is_a_typed_authentication_error(proxy):
    with pytest.raises(openai.AuthenticationError) as err:
        client(proxy, key="wrong").chat.completions.create(
            model="mock-model", messages=[{"role": "user", "content": "x"}]
        )
    assert err.value.status_code == 401


def test_upstream_failure_is_a_typed_server_error_without_secrets(proxy):
    with pytest.raises(openai.APIStatusError) as err:
        client(proxy).chat.completions.create(
            model=mock_upstream.FAILING_MODEL, messages=[{"role": "user", "content": "x"}]
        )
    assert err.value.status_code == 502
    assert "sk-upstream-secret" not in str(err.value.body)
    assert err.value.body["message"]


def test_streaming_error_before_first_byte_is_typed(proxy):
    with pytest.raises(openai.APIStatusError) as err:
        stream = client(proxy).chat.completions.create(
            model=mock_upstream.FAILING_MODEL,
            messages=[{"role": "user", "content": "x"}],
            stream=True,
        )
        list(stream)
    assert err.value.status_code == 502
