"""Checkpoints load safely (issue 11): no code from a checkpoint file runs, and the folder a
resume reads never leaves the run folder. A normal save -> resume round trip still works."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import torch

from mme3dr.errors import ConfigError
from trainers.checkpoints import load_file, resolve_checkpoint, save_file
from trainers.config import config_from_dict
from trainers.trainer import HiGRPOTrainer


def _cfg(run_dir: Path, steps: int = 1):
    return config_from_dict({
        "run_dir": str(run_dir), "steps": steps,
        "policy": {"kind": "reference", "d_model": 16, "n_layers": 1, "n_heads": 2},
        "grpo": {"prompts_per_step": 1, "group_size": 2, "epochs": 1, "minibatches": 1},
        "rewards": {"workers": 0}, "eval": {"every": 0},
        "checkpoint": {"every": 1, "keep": 3}, "log": {"plot": False},
    })


def _write_marker(path: str) -> None:
    """What the planted payload runs when unpickled (it must never run)."""
    Path(path).write_text("code ran")


class Payload:
    """Unpickles by calling ``_write_marker(marker)``: a stand-in for arbitrary code."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (_write_marker, (self.marker,))


def _plant(folder: Path, marker: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    torch.save({"step": 1, "model": Payload(marker)}, folder / "state.pt")


def test_the_payload_really_runs_under_plain_unpickling(tmp_path):
    """Control: the planted file is dangerous (so the refusal below is meaningful)."""
    marker = tmp_path / "marker"
    _plant(tmp_path / "x", marker)
    torch.load(tmp_path / "x" / "state.pt", weights_only=False)
    assert marker.read_text() == "code ran"


def test_a_planted_pickle_is_refused_and_never_runs(tmp_path, capsys):
    from trainers.hi_grpo import main

    run = tmp_path / "run"
    marker = tmp_path / "marker"
    _plant(run / "checkpoints" / "step-000001", marker)
    (run / "checkpoints" / "latest").write_text("step-000001")
    tr = HiGRPOTrainer(_cfg(run), quiet=True)
    with pytest.raises(ConfigError, match=r"state\.pt: refused"):
        tr.load_checkpoint()
    assert not marker.exists()
    # the command line: one line, exit 2, and still no code run
    cfg = tmp_path / "c.yaml"
    cfg.write_text("steps: 2\npolicy: {kind: reference, d_model: 16, n_layers: 1, n_heads: 2}\n"
                   "grpo: {prompts_per_step: 1, group_size: 2, epochs: 1, minibatches: 1}\n"
                   "rewards: {workers: 0}\neval: {every: 0}\nlog: {plot: false}\n")
    assert main(["--config", str(cfg), "--out", str(run), "--resume", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "state.pt" in err[0] and "refused" in err[0], err
    assert not marker.exists()


@pytest.mark.parametrize("pointer", ["../../outside", "/abs/elsewhere", "..", "."])
def test_latest_pointing_outside_the_run_folder_is_refused(tmp_path, pointer):
    run = tmp_path / "run"
    marker = tmp_path / "marker"
    _plant(tmp_path / "outside", marker)  # a dangerous checkpoint outside the run folder
    (run / "checkpoints").mkdir(parents=True)
    (run / "checkpoints" / "latest").write_text(pointer)
    with pytest.raises(ConfigError, match="outside") as info:
        resolve_checkpoint(run)
    assert "latest" in str(info.value) and "\n" not in str(info.value)
    assert not marker.exists()


def test_a_link_out_of_the_run_folder_is_refused(tmp_path):
    run = tmp_path / "run"
    marker = tmp_path / "marker"
    _plant(tmp_path / "outside", marker)
    (run / "checkpoints").mkdir(parents=True)
    os.symlink(tmp_path / "outside", run / "checkpoints" / "step-000009")
    (run / "checkpoints" / "latest").write_text("step-000009")
    with pytest.raises(ConfigError, match="outside"):
        resolve_checkpoint(run)
    # a file inside a real checkpoint folder that links out is refused as well
    real = run / "checkpoints" / "step-000010"
    real.mkdir()
    os.symlink(tmp_path / "outside" / "state.pt", real / "state.pt")
    with pytest.raises(ConfigError, match="outside"):
        load_file(real / "state.pt", run / "checkpoints")
    assert not marker.exists()


def test_save_refuses_what_a_safe_load_could_not_read(tmp_path):
    with pytest.raises(TypeError, match="Payload"):
        save_file({"x": Payload(tmp_path / "m")}, tmp_path / "s.pt")
    save_file({"x": torch.ones(2), "y": [1, 2.0, "a", (3, None)]}, tmp_path / "ok.pt")
    back = load_file(tmp_path / "ok.pt", tmp_path)
    assert torch.equal(back["x"], torch.ones(2)) and back["y"] == [1, 2.0, "a", (3, None)]
    (tmp_path / "junk.pt").write_bytes(b"not a torch file")
    with pytest.raises(ConfigError, match="junk.pt"):
        load_file(tmp_path / "junk.pt", tmp_path)
    # a plain pickle of a dict (no payload) is still not a torch checkpoint
    (tmp_path / "p.pt").write_bytes(pickle.dumps({"step": 1}))
    with pytest.raises(ConfigError, match="p.pt"):
        load_file(tmp_path / "p.pt", tmp_path)


def test_save_then_resume_round_trip(tmp_path):
    first = HiGRPOTrainer(_cfg(tmp_path / "run", steps=1), quiet=True)
    first.train()
    saved = [p.detach().clone() for p in first.policy.module.parameters()]
    opt_state = first.optimizer.state_dict()["state"]
    again = HiGRPOTrainer(_cfg(tmp_path / "run", steps=2), quiet=True)
    assert any(not torch.equal(p, q) for p, q in
               zip(saved, again.policy.module.parameters(), strict=True))
    assert again.load_checkpoint() == 1
    for p, q in zip(saved, again.policy.module.parameters(), strict=True):
        assert torch.equal(p, q)
    st = again.optimizer.state_dict()["state"]
    assert torch.equal(st[0]["exp_avg"], opt_state[0]["exp_avg"])
    assert again.sampler.state() == first.sampler.state()
    again.train()
    assert again.step == 2
    assert (tmp_path / "run" / "checkpoints" / "latest").read_text() == "step-000002"
