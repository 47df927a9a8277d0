"""VLM judge against a small OpenAI-compatible server on 127.0.0.1 started by the test."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trimesh

from mme3dr.assets import Asset
from mme3dr.cases import Case
from mme3dr.evaluators import registry, vlm_judge
from mme3dr.evaluators.base import Sample
from mme3dr.evaluators.vlm_judge import ParseError, parse_answer


class _Server:
    """``mode``: ``ok``; ``drip_head``/``drip_body`` (one byte every ``drip_s`` seconds in the
    status line or the body, at most 400 bytes); ``stream`` (``stream_bytes`` of body without a
    length, in 64 kB writes); ``claims`` (a Content-Length of 400 MB, then a few bytes)."""

    def __init__(self):
        self.answer = '{"score": 7, "reason": "looks right"}'
        self.status = 200
        self.mode = "ok"
        self.drip_s = 0.25
        self.stream_bytes = 64 * 1024 * 1024
        self.sent = 0
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "body": body})
                try:
                    if outer.mode != "ok":
                        outer.hostile(self)
                        return
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client hung up: what it should do
                if outer.status != 200:
                    self.send_response(outer.status)
                    self.end_headers()
                    self.wfile.write(b"boom")
                    return
                data = json.dumps(
                    {"choices": [{"message": {"role": "assistant", "content": outer.answer}}]}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def hostile(self, h: BaseHTTPRequestHandler) -> None:
        out = h.wfile
        if self.mode == "drip_head":
            for b in b"HTTP/1.0 200 OK\r\n" + b"X-Slow: " + b"a" * 380:
                out.write(bytes([b]))
                out.flush()
                self.sent += 1
                time.sleep(self.drip_s)
            return
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        if self.mode == "claims":
            h.send_header("Content-Length", str(400 * 1024 * 1024))
        h.end_headers()
        if self.mode == "drip_body":
            for b in b'{"choices": [' + b" " * 390:
                out.write(bytes([b]))
                out.flush()
                self.sent += 1
                time.sleep(self.drip_s)
        elif self.mode == "stream":
            block = b" " * 65536
            for _ in range(self.stream_bytes // len(block)):
                out.write(block)
                self.sent += len(block)
        elif self.mode == "claims":
            out.write(b'{"choices": []}')


@pytest.fixture()
def server(tmp_path, monkeypatch):
    srv = _Server()
    monkeypatch.setitem(vlm_judge._CONFIG, "retries", 0)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    vlm_judge.configure(srv.url, "judge-model", cache_dir=tmp_path / "cache")
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()
    vlm_judge.configure(None)
    vlm_judge._CONFIG["cache_dir"] = None


def _sample(prompt: str = "a wooden stool with three legs") -> Sample:
    case = Case(id="s1", prompt=prompt, category="stylized")
    return Sample(case=case, asset=Asset.from_trimesh(trimesh.creation.box((1, 1, 1))))


def test_scores_from_grid_and_caches_by_request_content(server: _Server):
    assert registry.get("vlm_alignment").runs_by_default  # configured endpoint enables it
    sc = registry.build("vlm_alignment").score(_sample())
    assert sc.status == "ok" and sc.value == 7 and sc.score == pytest.approx(6 / 9)
    assert sc.details["template"] == "alignment_v1" and len(sc.details["template_sha256"]) == 64
    assert sc.details["cached"] is False and sc.details["vlm_model"] == "judge-model"
    req = server.requests[0]
    assert req["path"] == "/v1/chat/completions"
    body = req["body"]
    assert body["model"] == "judge-model" and body["temperature"] == 0
    text, image = body["messages"][0]["content"]
    assert "a wooden stool with three legs" in text["text"] and "8 renders" in text["text"]
    assert image["image_url"]["url"].startswith("data:image/png;base64,")
    again = registry.build("vlm_alignment").score(_sample())
    assert len(server.requests) == 1 and again.details["cached"] is True
    assert again.score == sc.score and again.details["request_hash"] == sc.details["request_hash"]
    # another suite's template is another request
    aes = registry.build("vlm_aesthetic").score(_sample())
    assert aes.status == "ok" and aes.suite == "aesthetic" and len(server.requests) == 2


def test_unparseable_answer_is_recorded_never_a_default_score(server: _Server):
    server.answer = "I would say about 7/10."
    sc = registry.build("vlm_alignment").score(_sample("a red cup"))
    assert sc.status == "error" and sc.score is None
    assert "unparseable" in sc.reason and sc.details["answer"] == "I would say about 7/10."


def test_server_error_and_no_endpoint(server: _Server):
    server.status = 500
    sc = registry.build("vlm_aesthetic").score(_sample("a green vase"))
    assert sc.status == "error" and "HTTP 500" in sc.reason and sc.score is None
    vlm_judge.configure(None)
    assert not registry.get("vlm_alignment").runs_by_default
    skipped = registry.build("vlm_alignment").score(_sample())
    assert skipped.status == "skipped" and "--vlm-endpoint" in skipped.reason


def test_parse_answer_is_strict():
    assert parse_answer('{"score": 9, "reason": "ok"}') == (9, "ok")
    assert parse_answer('```json\n{"score": 3}\n```') == (3, "")
    for bad in (
        "score: 7",
        '{"score": 7.5}',
        '{"score": "7"}',
        '{"score": true}',
        '{"score": 11}',
        '[{"score": 7}]',
        'Sure! {"score": 7}',
        '```json\n{"score": 7}',
        None,
    ):
        with pytest.raises(ParseError):
            parse_answer(bad)


def test_unknown_template_version_is_a_parameter_error():
    with pytest.raises(ValueError, match="no VLM template"):
        registry.build("vlm_alignment", {"template": "v99"})


def test_a_dripping_server_is_cut_off_at_the_total_deadline(server: _Server):
    vlm_judge.configure(server.url, timeout=1.5)
    for mode in ("drip_head", "drip_body"):
        server.mode, server.sent = mode, 0
        t0 = time.perf_counter()
        sc = registry.build("vlm_alignment").score(_sample(f"a cup {mode}"))
        took = time.perf_counter() - t0
        assert sc.status == "error" and sc.score is None, mode
        assert "within the deadline" in sc.reason and server.url in sc.reason
        assert 1.2 < took < 3.5, (mode, took)  # one total deadline, not one per byte
        assert 3 <= server.sent < 20  # it was dripping, and was cut off
    server.mode = "ok"  # nothing of the failures was cached
    assert (
        registry.build("vlm_alignment").score(_sample("a cup drip_head")).details["cached"] is False
    )


def test_an_oversized_answer_is_refused_while_streaming_and_never_cached(server: _Server):
    vlm_judge.configure(server.url, max_response_bytes=1024 * 1024)
    server.mode = "stream"
    t0 = time.perf_counter()
    sc = registry.build("vlm_alignment").score(_sample("a big answer"))
    assert sc.status == "error" and "over the cap of 1048576 bytes" in sc.reason
    assert time.perf_counter() - t0 < 10
    assert server.sent < 24 * 1024 * 1024  # the client hung up near the cap (+ socket buffers)
    server.mode = "claims"
    sc = registry.build("vlm_alignment").score(_sample("a big answer"))
    assert sc.status == "error" and "419430400 bytes, over the cap" in sc.reason
    assert not list((vlm_judge.cache_dir()).rglob("*.json"))
    server.mode = "ok"
    sc = registry.build("vlm_alignment").score(_sample("a big answer"))
    assert sc.status == "ok" and sc.details["cached"] is False


def test_errors_and_unparseable_answers_are_never_cached(server: _Server):
    server.status = 500
    assert registry.build("vlm_alignment").score(_sample("a vase")).status == "error"
    server.status = 200
    server.answer = "maybe a 7"
    assert registry.build("vlm_alignment").score(_sample("a vase")).status == "error"
    assert not list((vlm_judge.cache_dir()).rglob("*.json"))
    server.answer = '{"score": 4, "reason": "meh"}'
    sc = registry.build("vlm_alignment").score(_sample("a vase"))
    assert sc.status == "ok" and sc.value == 4 and sc.details["cached"] is False
    assert len(server.requests) == 3
    assert registry.build("vlm_alignment").score(_sample("a vase")).details["cached"] is True
    assert len(server.requests) == 3


def test_cache_is_keyed_by_endpoint_model_prompt_image_and_parameters(server: _Server):
    first = registry.build("vlm_alignment").score(_sample("a lamp"))
    assert first.status == "ok" and len(server.requests) == 1
    server.answer = '{"score": 2, "reason": "another judge"}'
    other_endpoint = server.url.replace("/v1", "/v2")
    variants = [
        registry.build("vlm_alignment", {"endpoint": other_endpoint}),
        registry.build("vlm_alignment", {"model": "another-model"}),
        registry.build("vlm_alignment", {"max_side": 512}),  # another image
    ]
    for n, ev in enumerate(variants, start=2):
        sc = ev.score(_sample("a lamp"))
        assert sc.details["cached"] is False and sc.value == 2  # never another judge's answer
        assert len(server.requests) == n
    assert server.requests[1]["path"] == "/v2/chat/completions"
    assert server.requests[2]["body"]["model"] == "another-model"
    again = registry.build("vlm_alignment").score(_sample("a lamp"))
    assert again.details["cached"] is True and again.value == first.value == 7
    body = server.requests[0]["body"]
    key = vlm_judge.cache_key(server.url, body)
    assert key == again.details["request_hash"]
    assert key != vlm_judge.cache_key(other_endpoint, body)
    changed = json.loads(json.dumps(body))
    changed["max_tokens"] = 301
    assert key != vlm_judge.cache_key(server.url, changed)
    assert key == vlm_judge.cache_key(server.url + "/", body)
