"""Optional VLM judge: an OpenAI-compatible chat endpoint scores a case from a grid of its views.

Enabled by ``mme3dr eval --vlm-endpoint URL [--vlm-model NAME]`` (or :func:`configure`), with
any server that speaks ``POST {URL}/chat/completions`` with image content parts: a local vLLM
(``http://127.0.0.1:8000/v1``) or a hosted model. The API key, when needed, is read from
``$MME3DR_VLM_API_KEY`` (else ``$OPENAI_API_KEY``).

* One versioned prompt template per suite: ``benchmark_data/prompts/vlm/<suite>_<version>.txt``
  (``{prompt}`` and ``{n_views}`` are filled in); the template id and its SHA-256 are recorded
  with every score.
* The image is the rig's labelled contact sheet of the case's renders (the views every other
  evaluator uses), as PNG, longest side at most ``max_side`` pixels.
* Requests use ``temperature 0``. The answer must be exactly one JSON object
  ``{"score": <integer 1-10>, "reason": "..."}`` (a single surrounding code fence is tolerated);
  anything else is recorded as ``status="error"`` with the raw answer, never as a default score.
  Score: ``(score - 1) / 9``.
* Every request body and its answer are cached on disk under ``$MME3DR_HOME/vlm_cache`` by the
  SHA-256 of the request body, so a rerun sends nothing.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, ClassVar

from mme3dr.evaluators.base import Evaluator, Sample, Score
from mme3dr.evaluators.registry import register

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "benchmark_data" / "prompts" / "vlm"

_CONFIG: dict[str, Any] = {
    "endpoint": None,
    "model": "default",
    "cache_dir": None,
    "timeout": 120.0,
    "retries": 2,
}


def configure(
    endpoint: str | None,
    model: str | None = None,
    cache_dir: str | Path | None = None,
    timeout: float | None = None,
) -> None:
    """Set the endpoint for this process; a non-empty endpoint makes the VLM judges run by
    default on their suites (``None`` turns them off again)."""
    _CONFIG["endpoint"] = endpoint.rstrip("/") if endpoint else None
    if model is not None:
        _CONFIG["model"] = model
    if cache_dir is not None:
        _CONFIG["cache_dir"] = Path(cache_dir)
    if timeout is not None:
        _CONFIG["timeout"] = float(timeout)
    for cls in (VlmAlignment, VlmAesthetic):
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


def request_hash(body: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a request body (the cache key)."""
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


class VlmError(RuntimeError):
    """The endpoint could not be reached or answered with an error."""


def post_chat(endpoint: str, body: dict[str, Any], timeout: float, retries: int) -> dict[str, Any]:
    """POST ``body`` to ``{endpoint}/chat/completions``; retries network errors and 5xx/429."""
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    key = os.environ.get("MME3DR_VLM_API_KEY") or os.environ.get("OPENAI_API_KEY")
    if key:
        headers["Authorization"] = f"Bearer {key}"
    url = endpoint.rstrip("/") + "/chat/completions"
    last = ""
    for attempt in range(retries + 1):
        req = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            last = f"HTTP {exc.code} from {url}: {detail}"
            if exc.code != 429 and exc.code < 500:
                break
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            last = f"cannot reach {url}: {getattr(exc, 'reason', exc)}"
        except json.JSONDecodeError as exc:
            last = f"{url} did not answer JSON: {exc}"
            break
        if attempt < retries:
            time.sleep(min(4.0, 0.5 * 2**attempt))
    raise VlmError(last)


def cached_chat(endpoint: str, body: dict[str, Any]) -> tuple[dict[str, Any], str, bool]:
    """``(response, request hash, from_cache)``; answers are stored as
    ``<cache>/<hash[:2]>/<hash>.json`` with the request body and the endpoint."""
    h = request_hash(body)
    path = cache_dir() / h[:2] / f"{h}.json"
    if path.is_file():
        try:
            return json.loads(path.read_text(encoding="utf-8"))["response"], h, True
        except (OSError, json.JSONDecodeError, KeyError):
            pass  # a damaged entry is refetched
    resp = post_chat(endpoint, body, _CONFIG["timeout"], _CONFIG["retries"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    entry = {"request": body, "endpoint": endpoint, "response": resp, "created": time.time()}
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


def _answer_text(resp: dict[str, Any]) -> Any:
    try:
        return resp["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ParseError(f"response has no choices[0].message.content: {str(resp)[:200]}") from None


class _VlmJudge(Evaluator):
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
            resp, h, cached = cached_chat(endpoint, body)
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
class VlmAlignment(_VlmJudge):
    """VLM judge of prompt alignment (template ``alignment_<version>``), 1-10 -> [0, 1]."""

    name = "vlm_alignment"
    suite = "alignment"
    template_suite = "alignment"
    description = "VLM judge (OpenAI-compatible endpoint) of prompt alignment from a view grid"


@register
class VlmAesthetic(_VlmJudge):
    """VLM judge of visual quality (template ``aesthetic_<version>``), 1-10 -> [0, 1]."""

    name = "vlm_aesthetic"
    suite = "aesthetic"
    template_suite = "aesthetic"
    description = "VLM judge (OpenAI-compatible endpoint) of visual quality from a view grid"
