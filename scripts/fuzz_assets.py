"""Fuzz the asset path: mutated files of every supported format through ``mme3dr eval``.

    python scripts/fuzz_assets.py --n 100 --out /tmp/fuzz          # quick: 100 files per format
    python scripts/fuzz_assets.py --n 1000 --out /tmp/fuzz --stall 120

1. Generates ``--n`` mutated files per format (glb, gltf, obj, ply, stl, off) from a few seed
   meshes (the package's shape builders) into ``OUT/model/``: byte flips, truncation, splices,
   huge element counts, NaN/inf/huge numbers, far vertices (spikes), needles, 2-D vertices,
   bad and negative indices, deep JSON, glTF node cycles and buffers pointing outside, a
   13 000 x 13 000 texture... ``OUT/manifest.jsonl`` says which mutation made which file.
2. Writes ``OUT/cases.jsonl`` (one case per file, weight-free suites) and runs
   ``python -m mme3dr eval`` on it. A run that writes no record for ``--stall`` seconds is
   killed (a *hang*: the case in flight is the first one without a record); a run that exits
   with a traceback is a *crash*. Either way the offending file is moved to ``OUT/quarantine/``
   and the run resumes with ``--resume``, so every other case still gets its record.
3. Prints and writes ``OUT/report.json``: per format, records by status, error kinds, hangs and
   crashes (file and mutation), the slowest cases, and whether every case has exactly one record.

Extra ``mme3dr eval`` options go after ``--`` (e.g. ``-- --case-timeout 30`` once available).
Each run's memory is capped with ``RLIMIT_AS`` (``--memory-mb``).
"""

from __future__ import annotations

import argparse
import base64
import collections
import json
import os
import re
import resource
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import trimesh

from mme3dr.hostile_files import huge_png, pack_glb, unpack_glb

FORMATS = ("glb", "gltf", "obj", "ply", "stl", "off")
TEXT_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
INTERESTING = [
    b"nan", b"inf", b"-inf", b"1e308", b"-1e308", b"1e6", b"-1", b"0", b"4294967295",
    b"99999999999999999999", b"1e-320", b"", b"x", b"1" * 400,
]  # fmt: skip


# ------------------------------------------------------------------------------ seed meshes


def seed_meshes() -> dict[str, trimesh.Trimesh]:
    """A few small meshes of the kind the benchmark sees."""
    from mme3dr.examples import shapes

    return {
        "chair": shapes.chair(),
        "cup": shapes.cup(),
        "ball": trimesh.creation.icosphere(subdivisions=2),
        "box": trimesh.creation.box((1.0, 0.6, 0.3)),
    }


def mesh_variants(mesh: trimesh.Trimesh, rng: np.random.Generator) -> dict[str, trimesh.Trimesh]:
    """Semantic mutations applied to the mesh before it is written (any format)."""
    v, f = mesh.vertices.copy(), mesh.faces.copy()
    out: dict[str, trimesh.Trimesh] = {}

    def make(name: str, verts: np.ndarray, faces: np.ndarray) -> None:
        out[name] = trimesh.Trimesh(verts, faces, process=False)

    far = v.copy()
    far[rng.integers(len(v))] += (0.0, 0.0, 1000.0)  # one 1000-unit spike
    make("far_vertex", far, f)
    needle = np.vstack([v, [[0.0, 0.0, 500.0]]])
    make("needle", needle, np.vstack([f, [[f[0, 0], f[0, 1], len(v)]]]))
    lone = np.vstack([v, [[1e7, -1e7, 1e7]]])  # a far vertex in a face of its own
    make("far_lone_face", lone, np.vstack([f, [[len(v), f[1, 0], f[1, 1]]]]))
    make("tiny_scale", v * 1e-30, f)
    make("huge_scale", v * 1e30, f)
    make("flat", np.column_stack([v[:, :2], np.zeros(len(v))]), f)
    make("coincident", np.zeros_like(v) + 0.5, f)
    make("duplicated_faces", v, np.vstack([f] * 20))
    make("flipped", v, f[:, ::-1])
    make("holes", v, f[rng.random(len(f)) > 0.3])
    return out


# -------------------------------------------------------------------------------- writers


def write_format(mesh: trimesh.Trimesh, fmt: str, rng: np.random.Generator) -> bytes:
    """Encode ``mesh`` in ``fmt`` (PLY and STL alternate binary and ASCII)."""
    if fmt == "gltf":
        files = trimesh.exchange.gltf.export_gltf(trimesh.Scene(mesh), embed_buffers=True)
        data = files["model.gltf"]
    elif fmt == "ply":
        data = mesh.export(file_type="ply", encoding="binary" if rng.random() < 0.5 else "ascii")
    elif fmt == "stl":
        data = mesh.export(file_type="stl" if rng.random() < 0.5 else "stl_ascii")
    else:
        data = mesh.export(file_type=fmt)
    return data.encode() if isinstance(data, str) else bytes(data)


# ------------------------------------------------------------------------- byte mutations


def m_flip(data: bytes, rng: np.random.Generator) -> bytes:
    buf = bytearray(data)
    for _ in range(int(rng.integers(1, 65))):
        buf[int(rng.integers(len(buf)))] ^= int(rng.integers(1, 256))
    return bytes(buf)


def m_truncate(data: bytes, rng: np.random.Generator) -> bytes:
    return data[: int(rng.integers(0, len(data)))]


def m_splice(data: bytes, rng: np.random.Generator) -> bytes:
    a = int(rng.integers(len(data)))
    b = min(len(data), a + int(rng.integers(1, 4096)))
    at = int(rng.integers(len(data)))
    return data[:at] + data[a:b] * int(rng.integers(1, 8)) + data[at:]


def m_fill(data: bytes, rng: np.random.Generator) -> bytes:
    a = int(rng.integers(len(data)))
    b = min(len(data), a + int(rng.integers(1, 512)))
    return data[:a] + bytes([0xFF if rng.random() < 0.5 else 0]) * (b - a) + data[b:]


def m_garbage(data: bytes, rng: np.random.Generator) -> bytes:
    return data[:16] + rng.integers(0, 256, int(rng.integers(1, 20_000)), dtype=np.uint8).tobytes()


def m_numbers(data: bytes, rng: np.random.Generator) -> bytes:
    """Replace some numbers of a text format by interesting values (NaN, inf, huge, empty)."""
    spans = [m.span() for m in TEXT_NUMBER.finditer(data[:2_000_000])]
    if not spans:
        return m_flip(data, rng)
    picks = sorted(
        rng.choice(len(spans), size=min(len(spans), int(rng.integers(1, 6))), replace=False)
    )
    out, last = [], 0
    for i in picks:
        a, b = spans[i]
        out += [data[last:a], INTERESTING[int(rng.integers(len(INTERESTING)))]]
        last = b
    return b"".join(out) + data[last:]


GENERIC: dict[str, Callable[[bytes, np.random.Generator], bytes]] = {
    "flip": m_flip,
    "truncate": m_truncate,
    "splice": m_splice,
    "fill": m_fill,
    "garbage": m_garbage,
}


# ---------------------------------------------------------------------- format mutations


def obj_mutations(data: bytes, rng: np.random.Generator) -> dict[str, bytes]:
    lines = data.decode("utf-8", "replace").splitlines()
    v2 = [" ".join(ln.split()[:3]) if ln.startswith("v ") else ln for ln in lines]
    f_lines = [i for i, ln in enumerate(lines) if ln.startswith("f ")]
    k = f_lines[int(rng.integers(len(f_lines)))] if f_lines else 0
    bad = list(lines)
    bad[k] = "f 1 2 99999999"
    neg = list(lines)
    neg[k] = "f -1 -2 -999999"
    n_v = sum(ln.startswith("v ") for ln in lines)
    big_face = "f " + " ".join(str(1 + i % max(1, n_v)) for i in range(20_000))
    return {
        "two_d_vertices": "\n".join(v2).encode(),
        "bad_index": "\n".join(bad).encode(),
        "negative_index": "\n".join(neg).encode(),
        "huge_polygon": "\n".join([*lines, big_face]).encode(),
        "mtl_outside": ("mtllib /etc/passwd\nusemtl x\n" + "\n".join(lines)).encode(),
        "numbers": m_numbers(data, rng),
    }


def ply_mutations(data: bytes, rng: np.random.Generator) -> dict[str, bytes]:
    end = data.find(b"end_header")
    head, body = (data[:end], data[end:]) if end >= 0 else (data, b"")
    huge = re.sub(rb"element vertex \d+", b"element vertex 4294967295", head) + body
    faces = re.sub(rb"element face \d+", b"element face 2000000000", head) + body
    no_z = head.replace(b"property float z\n", b"").replace(b"property double z\n", b"") + body
    out = {"huge_vertex_count": huge, "huge_face_count": faces, "two_d_vertices": no_z}
    out["numbers"] = m_numbers(data, rng) if b"ascii" in head else m_flip(data, rng)
    return out


def stl_mutations(data: bytes, rng: np.random.Generator) -> dict[str, bytes]:
    if data[:5].lower() == b"solid":
        return {"numbers": m_numbers(data, rng), "truncate_facet": data[: len(data) // 2]}
    count = struct.pack("<I", 0xFFFFFFFF)
    nan = bytearray(data)
    for _ in range(8):
        at = 84 + 12 + 4 * int(rng.integers(0, max(1, (len(data) - 100) // 4)))
        nan[at : at + 4] = struct.pack("<f", float("nan"))
    return {
        "huge_count": data[:80] + count + data[84:],
        "zero_count": data[:80] + struct.pack("<I", 0) + data[84:],
        "nan_floats": bytes(nan),
    }


def off_mutations(data: bytes, rng: np.random.Generator) -> dict[str, bytes]:
    lines = data.decode("utf-8", "replace").splitlines()
    i = 1 if lines and lines[0].strip() == "OFF" else 0
    huge = list(lines)
    if len(huge) > i:
        huge[i] = "2000000000 2000000000 0"
    two_d = list(lines)
    if len(two_d) > i:
        nv = int(two_d[i].split()[0]) if two_d[i].split() else 0
        for j in range(i + 1, min(len(two_d), i + 1 + nv)):
            two_d[j] = " ".join(two_d[j].split()[:2])
    return {
        "huge_counts": "\n".join(huge).encode(),
        "two_d_vertices": "\n".join(two_d).encode(),
        "numbers": m_numbers(data, rng),
    }


def _gltf_json(data: bytes, fmt: str) -> tuple[dict, bytes]:
    if fmt == "gltf":
        return json.loads(data), b""
    return unpack_glb(data)


def _gltf_bytes(header: dict, blob: bytes, fmt: str, raw_json: bytes | None = None) -> bytes:
    if fmt == "gltf":
        return raw_json if raw_json is not None else json.dumps(header).encode()
    return pack_glb(header, blob, raw_json)


def gltf_mutations(data: bytes, fmt: str, rng: np.random.Generator) -> dict[str, bytes]:
    header, blob = _gltf_json(data, fmt)
    out: dict[str, bytes] = {}

    def edit(name: str, fn: Callable[[dict], None]) -> None:
        h = json.loads(json.dumps(header))
        try:
            fn(h)
        except (KeyError, IndexError, TypeError):
            return
        out[name] = _gltf_bytes(h, blob, fmt)

    edit("huge_accessor_count", lambda h: h["accessors"][0].update(count=2_000_000_000))
    edit("bad_component_type", lambda h: h["accessors"][0].update(componentType=9999))
    edit("view_offset_outside", lambda h: h["bufferViews"][0].update(byteOffset=2**40))
    edit("view_huge_length", lambda h: h["bufferViews"][0].update(byteLength=2**40))
    edit("node_cycle", lambda h: h["nodes"].append({"children": [len(h["nodes"])]}) or
         h["scenes"][0]["nodes"].append(len(h["nodes"]) - 1))  # fmt: skip
    edit("nan_matrix", lambda h: h["nodes"][0].update(matrix=[float("nan")] * 16))
    edit("huge_matrix", lambda h: h["nodes"][0].update(matrix=[1e300] * 16))
    for i, uri in enumerate(("/etc/passwd", "../../../../etc/hostname", "/dev/zero")):
        edit(f"buffer_uri_{i}", lambda h, u=uri: h["buffers"][0].update(uri=u))
    depth = int(rng.integers(1_000, 200_001))
    raw = json.dumps(header).encode()
    deep = raw[:-1] + b',"extras":' + b"[" * depth + b"]" * depth + b"}"
    out["deep_json"] = _gltf_bytes(header, blob, fmt, raw_json=deep)
    return out


def textured(fmt: str, png: bytes) -> bytes:
    """A unit box with UVs whose base-colour texture is ``png`` (embedded as is)."""
    import PIL.Image
    from trimesh.visual import TextureVisuals

    box = trimesh.creation.box()
    uv = np.random.default_rng(0).random((len(box.vertices), 2))
    box.visual = TextureVisuals(uv=uv, image=PIL.Image.new("RGB", (2, 2)))
    data = write_format(box, fmt, np.random.default_rng(0))
    header, blob = _gltf_json(data, fmt)
    if fmt == "gltf":
        header["images"][0] = {"uri": "data:image/png;base64," + base64.b64encode(png).decode()}
        return _gltf_bytes(header, b"", fmt)
    view = header["bufferViews"][header["images"][0]["bufferView"]]
    off, length = view.get("byteOffset", 0), view["byteLength"]
    blob = blob[:off] + png + blob[off + length :]
    for v in header["bufferViews"]:
        if v.get("byteOffset", 0) > off:
            v["byteOffset"] += len(png) - length
    view["byteLength"] = len(png)
    header["buffers"][0]["byteLength"] = len(blob) + (-len(blob) % 4)
    return _gltf_bytes(header, blob, fmt)


# ---------------------------------------------------------------------------- generation


def candidates(fmt: str, seeds: dict, rng: np.random.Generator, png: bytes) -> list[tuple]:
    """Every (mutation name, seed name, bytes) this format can get from the seeds."""
    out = []
    for sname, mesh in seeds.items():
        clean = write_format(mesh, fmt, rng)
        for mname, variant in mesh_variants(mesh, rng).items():
            out.append((mname, sname, write_format(variant, fmt, rng)))
        for mname, fn in GENERIC.items():
            out.append((mname, sname, fn(clean, rng)))
        if fmt in ("glb", "gltf"):
            specific = gltf_mutations(clean, fmt, rng)
        else:
            specific = {"obj": obj_mutations, "ply": ply_mutations, "stl": stl_mutations}.get(
                fmt, off_mutations
            )(clean, rng)
        out.extend((mname, sname, data) for mname, data in specific.items())
    out.append(("empty", "-", b""))
    if fmt in ("glb", "gltf"):
        out.append(("texture_13000px", "box", textured(fmt, png)))
    return out


def generate(out: Path, n: int, seed: int) -> list[dict]:
    """Write ``n`` files per format into ``out/model`` and the manifest; return its rows."""
    rng = np.random.default_rng(seed)
    model = out / "model"
    model.mkdir(parents=True, exist_ok=True)
    seeds = seed_meshes()
    png = huge_png(13_000, 13_000)
    rows = []
    for fmt in FORMATS:
        pool = candidates(fmt, seeds, rng, png)
        kinds = sorted({c[0] for c in pool})
        for i in range(n):
            # every mutation kind in turn, then a fresh random mutation of a random pool entry
            kind = kinds[i % len(kinds)]
            choices = [c for c in pool if c[0] == kind]
            mname, sname, data = choices[int(rng.integers(len(choices)))]
            if i >= len(kinds) and rng.random() < 0.5 and data:
                extra = list(GENERIC)[int(rng.integers(len(GENERIC)))]
                data, mname = GENERIC[extra](data, rng), f"{mname}+{extra}"
            cid = f"{fmt}_{i:05d}"
            (model / f"{cid}.{fmt}").write_bytes(data)
            rows.append({"id": cid, "format": fmt, "mutation": mname, "seed": sname,
                         "bytes": len(data)})  # fmt: skip
    with (out / "manifest.jsonl").open("w") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)
    return rows


def write_cases(out: Path, rows: list[dict]) -> Path:
    checks = [
        {"check": "ground_contacts", "expect": 4},
        {"check": "parts", "expect": 1},
        {"check": "holds_liquid"},
        {"check": "aspect", "height_over_width": [0.0, 2.0]},
    ]
    path = out / "cases.jsonl"
    with path.open("w") as fh:
        for r in rows:
            case = {"id": r["id"], "prompt": f"fuzzed {r['mutation']} {r['seed']}",
                    "category": "spatial_structural",
                    "suites": ["spatial", "functional", "physical"], "checks": checks}  # fmt: skip
            fh.write(json.dumps(case) + "\n")
    return path


# --------------------------------------------------------------------------------- running


def _limit_memory(mb: int) -> Callable[[], None] | None:
    if mb <= 0:
        return None

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (mb * 1024 * 1024, mb * 1024 * 1024))

    return apply


def _recorded(results: Path) -> list[str]:
    if not results.is_file():
        return []
    ids = []
    for line in results.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            ids.append(json.loads(line)["case_id"])
        except (ValueError, KeyError, TypeError):
            continue
    return ids


def run_eval(out: Path, cases: Path, ids: list[str], args: argparse.Namespace) -> dict:
    """Run ``mme3dr eval`` to the end, quarantining the file of each hang or crash."""
    model, quarantine = out / "model", out / "quarantine"
    quarantine.mkdir(exist_ok=True)
    results = out / "results" / "fuzz" / "results.jsonl"
    base = [sys.executable, "-m", "mme3dr", "eval", str(model), "--cases", str(cases),
            "--out", str(out / "results"), "--name", "fuzz", "--quiet"]  # fmt: skip
    hangs, crashes, runs = [], [], 0
    first = True
    t_start = time.perf_counter()
    while True:
        cmd = base + (["--overwrite"] if first else ["--resume"]) + list(args.eval_args)
        first = False
        runs += 1
        log = (out / f"run{runs}.log").open("w")
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=_limit_memory(args.memory_mb))  # fmt: skip
        seen, last_change = len(_recorded(results)), time.perf_counter()
        stalled = False
        while proc.poll() is None:
            time.sleep(1.0)
            now = len(_recorded(results))
            if now != seen:
                seen, last_change = now, time.perf_counter()
            elif time.perf_counter() - last_change > args.stall:
                stalled = True
                _kill(proc)
                break
        log.close()
        done = set(_recorded(results))
        pending = [c for c in ids if c not in done]
        if not stalled and proc.returncode == 0:
            break
        if not pending:
            crashes.append({"id": None, "rc": proc.returncode, "log": f"run{runs}.log"})
            break
        culprit = pending[0]
        entry = {"id": culprit, "rc": proc.returncode, "log": f"run{runs}.log"}
        (hangs if stalled else crashes).append(entry)
        for f in model.glob(f"{culprit}.*"):
            shutil.move(str(f), quarantine / f.name)
        if runs > 200:
            break
    return {"hangs": hangs, "crashes": crashes, "runs": runs,
            "seconds": time.perf_counter() - t_start, "results": results}  # fmt: skip


def _kill(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 5 s, to the eval process group we started."""
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


# -------------------------------------------------------------------------------- report


def report(out: Path, rows: list[dict], run: dict) -> dict:
    by_id = {r["id"]: r for r in rows}
    recs = collections.defaultdict(list)
    results = run["results"]
    if results.is_file():
        for line in results.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            recs[rec.get("case_id")].append(rec)
    hung = {h["id"] for h in run["hangs"]}
    crashed = {c["id"] for c in run["crashes"]}
    per_format: dict[str, dict] = {}
    evaluator_errors: collections.Counter = collections.Counter()
    slow = []
    for fmt in FORMATS:
        ids = [r["id"] for r in rows if r["format"] == fmt]
        status = collections.Counter()
        kinds = collections.Counter()
        for cid in ids:
            rs = recs.get(cid, [])
            if cid in hung:
                status["hang"] += 1
            elif cid in crashed:
                status["crash"] += 1
            for rec in rs[-1:]:
                st = rec["status"]
                if cid in hung or cid in crashed:
                    continue
                status[st] += 1
                if st == "error":
                    m = re.search(r": ([a-z_]+): ", rec.get("error") or "")
                    kinds[m.group(1) if m else "other"] += 1
                for sc in rec.get("scores") or []:
                    if sc.get("status") == "error":
                        why = (sc.get("reason") or "").split(":")[0][:40]
                        evaluator_errors[f"{sc.get('evaluator')}: {why}"] += 1
                total = (rec.get("timings") or {}).get("total")
                if total is not None:
                    slow.append((float(total), cid))
        per_format[fmt] = {
            "files": len(ids),
            "status": dict(status),
            "error_kinds": dict(kinds.most_common()),
            "not_one_record": sum(1 for c in ids if len(recs.get(c, [])) != 1),
        }
    slow.sort(reverse=True)
    times = [t for t, _ in slow]
    summary = {
        "files": len(rows),
        "runs": run["runs"],
        "seconds": round(run["seconds"], 1),
        "hangs": [dict(h, **by_id.get(h["id"], {})) for h in run["hangs"]],
        "crashes": [dict(c, **by_id.get(c["id"], {})) for c in run["crashes"]],
        "per_format": per_format,
        "case_seconds": {
            "median": round(statistics.median(times), 3) if times else None,
            "p99": round(float(np.percentile(times, 99)), 3) if times else None,
            "max": round(times[0], 3) if times else None,
        },
        "slowest": [dict(by_id[c], seconds=round(t, 2)) for t, c in slow[:10]],
        "evaluator_errors": dict(evaluator_errors.most_common()),
        "every_case_one_record": all(
            len(recs.get(r["id"], [])) == 1 for r in rows if r["id"] not in hung | crashed
        ),
    }
    (out / "report.json").write_text(json.dumps(summary, indent=2))
    return summary


def print_report(s: dict) -> None:
    print(f"{s['files']} files, {s['runs']} eval run(s), {s['seconds']} s")
    print("| format | files | ok | error | missing | hang | crash | not one record |")
    print("|---|---|---|---|---|---|---|---|")
    for fmt, d in s["per_format"].items():
        st = d["status"]
        cells = [st.get(k, 0) for k in ("ok", "error", "missing", "hang", "crash")]
        print(f"| {fmt} | {d['files']} | " + " | ".join(map(str, cells)) +
              f" | {d['not_one_record']} |")  # fmt: skip
    for kind in ("hangs", "crashes"):
        for h in s[kind]:
            print(f"{kind[:-1] if kind == 'hangs' else 'crash'}: {h.get('id')} "
                  f"({h.get('format')}, {h.get('mutation')}, seed {h.get('seed')})")  # fmt: skip
    cs = s["case_seconds"]
    print(f"seconds per case: median {cs['median']}, p99 {cs['p99']}, max {cs['max']}")
    for row in s["slowest"][:5]:
        print(f"  slow: {row['id']} {row['mutation']} {row['seconds']} s")
    for what, n in list(s["evaluator_errors"].items())[:8]:
        print(f"  evaluator error on a loaded asset: {what} x{n}")
    print(f"every case exactly one record: {s['every_case_one_record']}")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    argv = argv[: argv.index("--")] if "--" in argv else argv
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="files per format")
    ap.add_argument("--out", type=Path, default=Path("fuzz_out"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--stall", type=float, default=120.0, help="seconds without a record = hang")
    ap.add_argument("--memory-mb", type=int, default=4096, help="RLIMIT_AS per run (0: none)")
    ap.add_argument("--no-run", action="store_true", help="only generate the files")
    args = ap.parse_args(argv)
    args.eval_args = extra
    if args.out.exists():
        shutil.rmtree(args.out)
    rows = generate(args.out, args.n, args.seed)
    cases = write_cases(args.out, rows)
    print(f"wrote {len(rows)} files to {args.out / 'model'}", flush=True)
    if args.no_run:
        return 0
    run = run_eval(args.out, cases, [r["id"] for r in rows], args)
    summary = report(args.out, rows, run)
    print_report(summary)
    return 0 if not summary["hangs"] and not summary["crashes"] else 1


if __name__ == "__main__":
    sys.exit(main())
