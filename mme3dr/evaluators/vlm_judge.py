"""Optional VLM judge: an OpenAI-compatible chat endpoint scores a case from a grid of its views.

Enabled by ``mme3dr eval --vlm-endpoint URL [--vlm-model NAME]`` (or :func:`configure`), with
any server that speaks ``POST {URL}/chat/completions`` with image content parts: a local vLLM
(``http://127.0.0.1:8000/v1``) or a hosted model. The API key, when needed, is read from
``$MME3DR_VLM_API_KEY`` (else ``$OPENAI_API_KEY``).

* One versioned prompt template per suite:
  ``mme3dr/benchmark_data/prompts/vlm/<suite>_<version>.txt``
  (``{prompt}`` and ``{n_views}`` are filled in); the template id and its SHA-256 are recorded
  with every score.
* The image is the rig's labelled contact sheet of the case's renders (the views every other
  evaluator uses), as PNG, longest side at most ``max_side`` pixels.
* Requests use ``temperature 0``. The answer must be exactly one JSON object
  ``{"score": <integer 1-10>, "reason": "..."}`` (a single surrounding code fence is tolerated);
  anything else is recorded as ``status="error"`` with the raw answer, never as a default score.
  Score: ``(score - 1) / 9``.
* One request has one total deadline (``timeout``, default 120 s) covering connecting, sending,
  the headers, the whole body and any retries: a server that sends one byte every few seconds
  is cut off at the deadline (a watchdog shuts the socket down), not kept alive by each byte.
  The answer is read in chunks and refused once it passes ``max_response_bytes`` (4 MiB), and
  its JSON nesting depth is bounded (:mod:`mme3dr.safe_json`).
* Answers that yield a score are cached on disk under ``$MME3DR_HOME/vlm_cache``, keyed by the
  SHA-256 of the endpoint, the model, the prompt text, the SHA-256 of each image and every other
  request parameter (:func:`cache_key`), so a rerun against the same judge sends nothing and a
  run against another endpoint or model never sees these answers. Errors (network, HTTP,
  oversized, unparseable answers) are never cached.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import http.client
import io
import json
import os
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from mme3dr.evaluators.base import Evaluator, Sample, Score
from mme3dr.evaluators.registry import register
from mme3dr.package_data import benchmark_data_dir
from mme3dr.safe_json import JsonLimitError, loads, read_json

TEMPLATE_DIR = benchmark_data_dir() / "prompts" / "vlm"

_CONFIG: dict[str, Any] = {
    "endpoint": None,
    "model": "default",
    "cache_dir": None,
    "timeout": 120.0,
    "retries": 2,
    "max_response_bytes": 4 * 1024 * 1024,
}


def configure(
    endpoint: str | None,
    model: str | None = None,
    cache_dir: str | Path | None = None,
    timeout: float | None = None,
    max_response_bytes: int | None = None,
) -> None:
    """Set the endpoint for this process; a non-empty endpoint makes the VLM judges run by
    default on their suites (``None`` turns them off again). ``timeout`` is the total deadline
    of one judged request in seconds (retries included); ``max_response_bytes`` caps an
    answer's size."""
    _CONFIG["endpoint"] = endpoint.rstrip("/") if endpoint else None
    if model is not None:
        _CONFIG["model"] = model
    if cache_dir is not None:
        _CONFIG["cache_dir"] = Path(cache_dir)
    if timeout is not None:
        _CONFIG["timeout"] = float(timeout)
    if max_response_bytes is not None:
        _CONFIG["max_response_bytes"] = int(max_response_bytes)
    for cls in (VlmAlignmentEvaluator, VlmAestheticEvaluator):
        cls.runs_by_default = bool(_CONFIG["endpoint"])


def cache_dir() -> Path:
    if _CONFIG["cache_dir"] is not None:
        return Path(_CONFIG["cache_dir"])
    from mme3dr.weights import mme3dr_home

    return mme3dr_home() / "vlm_cache"


def load_template(suite: str, version: str) -> tuple[str, str, str]:
    """``(text, template id, sha256)`` of ``<suite>_<version>.txt``."""
    path = TEMPLATE_DIR / f"{suite}_{version}.txt"
    if not path.is_file():
        known = sorted(p.stem for p in TEMPLATE_DIR.glob("*.txt"))
        raise ValueError(f"no VLM template {path.name}; known: {', '.join(known)}")
    text = path.read_text(encoding="utf-8")
    return text, path.stem, hashlib.sha256(text.encode()).hexdigest()


def grid_png(sample: Sample, max_side: int = 1024) -> bytes:
    """The labelled contact sheet of the sample's views as PNG bytes."""
    sheet = sample.views().contact_sheet("rgb")
    scale = max_side / max(sheet.size)
    if scale < 1.0:
        sheet = sheet.resize(
            (max(1, round(sheet.width * scale)), max(1, round(sheet.height * scale)))
        )
    buf = io.BytesIO()
    sheet.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def build_request(model: str, text: str, png: bytes, max_tokens: int = 300) -> dict[str, Any]:
    """An OpenAI chat-completions body with one text and one image part."""
    url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return {
        "model": model,
        "temperature": 0,
        "max_tokens": max_tokens,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": text},
                    {"type": "image_url", "image_url": {"url": url}},
                ],
            }
        ],
    }


def cache_key(endpoint: str, body: dict[str, Any]) -> str:
    """SHA-256 naming a cached answer: the endpoint (trailing ``/`` ignored), the model, the
    text parts, the SHA-256 of every image and every other request parameter."""
    fields = {"endpoint": endpoint.rstrip("/"), "request": _hashed_images(body)}
    return hashlib.sha256(
        json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def request_hash(body: dict[str, Any], endpoint: str = "") -> str:
    """The cache key of ``body`` sent to ``endpoint`` (see :func:`cache_key`)."""
    return cache_key(endpoint, body)


def _hashed_images(body: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``body`` whose data-URL images are replaced by ``sha256:<hex>`` of their bytes."""
    out = copy.deepcopy(body)
    for message in out.get("messages", []):
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for part in content:
            image = part.get("image_url") if isinstance(part, dict) else None
            url = image.get("url") if isinstance(image, dict) else None
            if isinstance(url, str) and url.startswith("data:"):
                payload = url.split(",", 1)[-1].encode("ascii", "replace")
                image["url"] = "sha256:" + hashlib.sha256(base64.b64decode(payload)).hexdigest()
    return out


class VlmError(RuntimeError):
    """The endpoint could not be reached, answered with an error, too slowly or too much."""


class _Refused(VlmError):
    """An answer that retrying will not fix (too large, not JSON, a 4xx status)."""


def post_chat(
    endpoint: str,
    body: dict[str, Any],
    timeout: float,
    retries: int,
    max_bytes: int | None = None,
) -> dict[str, Any]:
    """POST ``body`` to ``{endpoint}/chat/completions`` and return the parsed JSON answer.

    ``timeout`` is one total deadline in seconds for everything, retries and back-off
    included; ``max_bytes`` caps the answer (default ``max_response_bytes``). Retries network
    errors, 5xx and 429 while time is left. Raises :class:`VlmError` with one line otherwise.
    """
    max_bytes = int(max_bytes or _CONFIG["max_response_bytes"])
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    key = os.environ.get("MME3DR_VLM_API_KEY") or os.environ.get("OPENAI_API_KEY")
    if key:
        headers["Authorization"] = f"Bearer {key}"
    url = endpoint.rstrip("/") + "/chat/completions"
    deadline = time.monotonic() + float(timeout)
    last = ""
    for attempt in range(retries + 1):
        try:
            status, payload = _post_once(url, data, headers, deadline, max_bytes)
        except _Refused:
            raise
        except VlmError as exc:
            last = str(exc)
        else:
            if status == 200:
                try:
                    return loads(payload, source=f"answer from {url}")
                except JsonLimitError as exc:
                    raise _Refused(f"{url} did not answer usable JSON: {exc}") from None
            detail = payload[:300].decode("utf-8", "replace")
            last = f"HTTP {status} from {url}: {detail}"
            if status != 429 and status < 500:
                break
        pause = min(4.0, 0.5 * 2**attempt)
        if attempt == retries or time.monotonic() + pause >= deadline:
            break
        time.sleep(pause)
    if time.monotonic() >= deadline and "deadline" not in last:
        last = f"{last}; no answer within the {timeout:g} s deadline".lstrip("; ")
    raise VlmError(last)


def _post_once(
    url: str, data: bytes, headers: dict[str, str], deadline: float, max_bytes: int
) -> tuple[int, bytes]:
    """One POST under the deadline: ``(status, body)`` with the body capped at ``max_bytes``
    (an error status's body is cut at 4 kB). A watchdog shuts the socket down at the deadline,
    so no byte-by-byte trickle can hold the request open."""
    conn = _connection(url, deadline)
    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _shut, args=(conn,))
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request("POST", _request_target(url), body=data, headers=headers)
        resp = conn.getresponse()
        limit = max_bytes if resp.status == 200 else 4096
        length = resp.getheader("Content-Length")
        if resp.status == 200 and length and length.isdigit() and int(length) > max_bytes:
            raise _Refused(f"answer from {url} is {length} bytes, over the cap of {max_bytes}")
        return resp.status, _read_capped(resp, conn, deadline, limit, url)
    except VlmError:
        raise
    except (OSError, http.client.HTTPException) as exc:
        if time.monotonic() >= deadline:
            raise VlmError(f"no complete answer from {url} within the deadline") from None
        raise VlmError(f"cannot reach {url}: {getattr(exc, 'reason', None) or exc}") from None
    finally:
        watchdog.cancel()
        conn.close()


def _read_capped(
    resp: http.client.HTTPResponse,
    conn: http.client.HTTPConnection,
    deadline: float,
    limit: int,
    url: str,
) -> bytes:
    """Read the body chunk by chunk; refuse it past ``limit`` bytes (kept only for errors)."""
    chunks: list[bytes] = []
    total = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise VlmError(f"no complete answer from {url} within the deadline")
        if conn.sock is not None:
            conn.sock.settimeout(left)
        chunk = resp.read1(65536)
        if not chunk:
            if time.monotonic() >= deadline:
                raise VlmError(f"no complete answer from {url} within the deadline")
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            if resp.status != 200:  # an error page: its start is enough for the message
                chunks.append(chunk)
                return b"".join(chunks)[:limit]
            raise _Refused(f"answer from {url} is over the cap of {limit} bytes")
        chunks.append(chunk)


def _connection(url: str, deadline: float) -> http.client.HTTPConnection:
    """An HTTP(S) connection to ``url``'s host, through ``$https_proxy``/``$http_proxy`` when
    set and the host is not in ``$no_proxy``."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Refused(f"VLM endpoint must be an http(s) URL, got {url!r}")
    timeout = max(0.001, deadline - time.monotonic())
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(parts.hostname):
        p = urllib.parse.urlsplit(proxy if "//" in proxy else "http://" + proxy)
        conn = cls(p.hostname, p.port, timeout=timeout)
        conn.set_tunnel(parts.hostname, parts.port)
        return conn
    return cls(parts.hostname, parts.port, timeout=timeout)


def _request_target(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _shut(conn: http.client.HTTPConnection) -> None:
    """Watchdog: wake any blocked read on the connection's socket by shutting it down."""
    sock = conn.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def cached_chat(
    endpoint: str,
    body: dict[str, Any],
    accept: Callable[[dict[str, Any]], bool] | None = None,
) -> tuple[dict[str, Any], str, bool]:
    """``(response, cache key, from_cache)``. A fetched answer is stored as
    ``<cache>/<key[:2]>/<key>.json`` (with the endpoint, the model and the request with image
    hashes in place of images) only when ``accept(response)`` is true; a cache entry is used
    only when it names the same endpoint and key."""
    endpoint = endpoint.rstrip("/")
    h = cache_key(endpoint, body)
    path = cache_dir() / h[:2] / f"{h}.json"
    cap = 2 * int(_CONFIG["max_response_bytes"]) + 1024 * 1024
    if path.is_file():
        try:
            entry = read_json(path, max_bytes=cap)
            if entry.get("key") == h and entry.get("endpoint") == endpoint:
                return entry["response"], h, True
        except (JsonLimitError, AttributeError, KeyError):
            pass  # a damaged or foreign entry is refetched
    resp = post_chat(endpoint, body, _CONFIG["timeout"], _CONFIG["retries"])
    if accept is None or accept(resp):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        entry = {
            "key": h,
            "endpoint": endpoint,
            "model": body.get("model"),
            "request": _hashed_images(body),
            "response": resp,
            "created": time.time(),
        }
        tmp.write_text(json.dumps(entry), encoding="utf-8")
        tmp.replace(path)
    return resp, h, False


class ParseError(ValueError):
    """The answer was not the JSON object the template asks for."""


def parse_answer(text: Any) -> tuple[int, str]:
    """``(score 1..10, reason)`` from an answer that is exactly one JSON object, optionally
    inside a single code fence; :class:`ParseError` otherwise (no number fishing)."""
    if not isinstance(text, str):
        raise ParseError(f"answer is not text: {type(text).__name__}")
    s = text.strip()
    if s.startswith("```"):
        lines = s.splitlines()
        if (
            len(lines) < 3
            or lines[-1].strip() != "```"
            or lines[0].strip() not in ("```", "```json")
        ):
            raise ParseError("answer has an unclosed or odd code fence")
        s = "\n".join(lines[1:-1]).strip()
    try:
        obj = json.loads(s)
    except json.JSONDecodeError as exc:
        raise ParseError(f"answer is not a JSON object ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise ParseError("answer JSON is not an object")
    score = obj.get("score")
    if isinstance(score, bool) or not isinstance(score, int):
        raise ParseError(f"'score' must be an integer, got {score!r}")
    if not 1 <= score <= 10:
        raise ParseError(f"'score' must be in 1..10, got {score}")
    reason = obj.get("reason", "")
    if not isinstance(reason, str):
        raise ParseError("'reason' must be a string")
    return score, reason


def _scores(resp: dict[str, Any]) -> bool:
    """Whether a response holds an answer that parses into a score (only those are cached)."""
    try:
        parse_answer(_answer_text(resp))
    except ParseError:
        return False
    return True


def _answer_text(resp: dict[str, Any]) -> Any:
    try:
        return resp["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ParseError(f"response has no choices[0].message.content: {str(resp)[:200]}") from None


class _VlmJudgeEvaluator(Evaluator):
    template_suite: ClassVar[str]
    needs_views = True
    runs_by_default = False
    version = "1"

    def __init__(
        self,
        *,
        template: str = "v1",
        endpoint: str | None = None,
        model: str | None = None,
        max_side: int = 1024,
    ):
        load_template(self.template_suite, template)  # fail early on a bad version
        if int(max_side) < 64:
            raise ValueError(f"max_side must be >= 64, got {max_side}")
        super().__init__(template=template, endpoint=endpoint, model=model, max_side=int(max_side))

    def available(self) -> bool:
        """Only with an endpoint (``--vlm-endpoint`` or the ``endpoint`` parameter)."""
        return bool(self.params["endpoint"] or _CONFIG["endpoint"])

    def evaluate(self, sample: Sample) -> Score:
        p = self.params
        endpoint = p["endpoint"] or _CONFIG["endpoint"]
        if not endpoint:
            return self.make_score(
                None,
                status="skipped",
                reason="no VLM endpoint configured: pass --vlm-endpoint URL (OpenAI-compatible)",
            )
        model = p["model"] or _CONFIG["model"]
        text, template_id, template_sha = load_template(self.template_suite, p["template"])
        n_views = sample.views().n_views
        filled = text.format(prompt=sample.case.prompt, n_views=n_views)
        body = build_request(model, filled, grid_png(sample, p["max_side"]))
        meta = {
            "endpoint": endpoint,
            "vlm_model": model,
            "template": template_id,
            "template_sha256": template_sha,
            "n_views": n_views,
        }
        try:
            resp, h, cached = cached_chat(endpoint, body, accept=_scores)
        except VlmError as exc:
            return self.make_score(
                None, status="error", reason=f"VLM request failed: {exc}", **meta
            )
        meta.update(request_hash=h, cached=cached)
        answer = None
        try:
            answer = _answer_text(resp)
            score, why = parse_answer(answer)
        except ParseError as exc:
            return self.make_score(
                None,
                status="error",
                reason=f"unparseable VLM answer, no score recorded: {exc}",
                answer=str(answer)[:2000],
                parse_error=str(exc),
                **meta,
            )
        return self.make_score(
            (score - 1) / 9.0,
            value=score,
            reason=f"VLM ({model}, {template_id}) scored {score}/10: {why}",
            answer=answer[:2000],
            **meta,
        )


@register
class VlmAlignmentEvaluator(_VlmJudgeEvaluator):
    """VLM judge of prompt alignment (template ``alignment_<version>``), 1-10 -> [0, 1]."""

    name = "vlm_alignment"
    suite = "alignment"
    template_suite = "alignment"
    description = "VLM judge (OpenAI-compatible endpoint) of prompt alignment from a view grid"


@register
class VlmAestheticEvaluator(_VlmJudgeEvaluator):
    """VLM judge of visual quality (template ``aesthetic_<version>``), 1-10 -> [0, 1]."""

    name = "vlm_aesthetic"
    suite = "aesthetic"
    template_suite = "aesthetic"
    description = "VLM judge (OpenAI-compatible endpoint) of visual quality from a view grid"
