"""VLM judge against a small OpenAI-compatible server on 127.0.0.1 started by the test."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trimesh

from mme3dr.assets import Asset
from mme3dr.cases import Case
from mme3dr.evaluators import registry, vlm_judge
from mme3dr.evaluators.base import Sample
from mme3dr.evaluators.vlm_judge import ParseError, parse_answer


class _Server:
    def __init__(self):
        self.answer = '{"score": 7, "reason": "looks right"}'
        self.status = 200
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "body": body})
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
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


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
