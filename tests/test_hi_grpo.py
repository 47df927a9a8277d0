"""Hand-computed values for the Hi-GRPO math: advantages, clipped loss, masks, KL."""

from __future__ import annotations

import math

import pytest
import torch

from trainers.hi_grpo import (
    group_advantages,
    group_spread,
    hierarchical_rewards,
    policy_loss,
    policy_loss_with_stats,
)

# ----------------------------------------------------------------------------- advantages


def test_group_advantages_population_std_per_group():
    adv = group_advantages(torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 5.0, 5.0, 5.0]), 4)
    # group 1: mean 2.5, population variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25
    std = math.sqrt(1.25)
    expected = [-1.5 / (std + 1e-4), -0.5 / (std + 1e-4), 0.5 / (std + 1e-4), 1.5 / (std + 1e-4)]
    assert adv[:4].tolist() == pytest.approx(expected, rel=1e-6)
    # group 2 has no spread: (5 - 5) / (0 + 1e-4) = 0
    assert adv[4:].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert adv.shape == (8,)
    assert adv.dtype == torch.float32


def test_group_advantages_eps_and_list_input():
    adv = group_advantages([0.0, 1.0], 2, eps=0.5)
    # mean 0.5, population std 0.5 -> (+-0.5) / (0.5 + 0.5)
    assert adv.tolist() == pytest.approx([-0.5, 0.5])


def test_group_advantages_failed_rewards_are_excluded_and_zero():
    nan = float("nan")
    adv = group_advantages(torch.tensor([1.0, nan, 3.0, nan, nan, 7.0]), 3)
    # group 1 over {1, 3}: mean 2, population std 1
    assert adv[:3].tolist() == pytest.approx([-1 / 1.0001, 0.0, 1 / 1.0001])
    # group 2: one valid reward -> std 0 -> advantage 0; the failed ones are 0
    assert adv[3:].tolist() == [0.0, 0.0, 0.0]


def test_group_advantages_rejects_bad_shapes():
    with pytest.raises(ValueError):
        group_advantages(torch.zeros(5), 2)
    with pytest.raises(ValueError):
        group_advantages(torch.zeros(2, 2), 2)


def test_group_spread_and_hierarchical_rewards():
    r = torch.tensor([1.0, 1.0, 0.0, 1.0, float("nan"), 2.0])
    assert group_spread(r, 2).tolist() == [False, True, False]
    total = hierarchical_rewards(torch.tensor([0.5, float("nan")]), torch.tensor([0.25, 1.0]), 2.0)
    assert total[0].item() == pytest.approx(1.0)
    assert math.isnan(total[1].item())


# ---------------------------------------------------------------------------------- loss


def _case():
    """Two sequences of three tokens; see the comments for the hand computation."""
    ln = math.log
    old = torch.zeros(2, 3)
    # seq 0 (A = +1): rho = 1.5 -> clipped at 1.28 (high side); rho = 0.5 -> unclipped;
    #                 third token masked out, with a poisonous -inf log-prob.
    # seq 1 (A = -2): rho = 0.5 -> clipped at 0.8 (low side): min(-1, -1.6) = -1.6;
    #                 rho = 1.5 -> unclipped: min(-3, -2.56) = -3; rho = 1 -> -2.
    logp = torch.tensor([[ln(1.5), ln(0.5), -math.inf], [ln(0.5), ln(1.5), 0.0]])
    adv = torch.tensor([1.0, -2.0])
    mask = torch.tensor([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0]])
    return logp, old, adv, mask


def test_policy_loss_clips_both_sides_and_ignores_masked_tokens():
    logp, old, adv, mask = _case()
    loss = policy_loss(logp, old, logp.clone(), adv, mask)  # ref = policy: KL term is 0
    # -(1.28 + 0.5 - 1.6 - 3 - 2) / 5 tokens
    assert loss.item() == pytest.approx(4.82 / 5, rel=1e-6)
    _, stats = policy_loss_with_stats(logp, old, logp.clone(), adv, mask)
    assert stats.clip_high == pytest.approx(1 / 5)
    assert stats.clip_low == pytest.approx(1 / 5)
    assert stats.tokens == 5
    assert stats.kl == pytest.approx(0.0, abs=1e-7)


def test_policy_loss_custom_clip_range():
    logp, old, adv, mask = _case()
    # eps 0.6 / 0.6: nothing is clipped; surrogate sum = 1.5 + 0.5 - 1 - 3 - 2
    loss = policy_loss(logp, old, logp.clone(), adv, mask, eps_low=0.6, eps_high=0.6)
    assert loss.item() == pytest.approx(4.0 / 5, rel=1e-6)


def test_policy_loss_kl_term_k3():
    logp, old, adv, mask = _case()
    ref = logp.clone()
    ref[0, 0] = logp[0, 0] + math.log(2.0)  # k3 = 2 - ln 2 - 1
    ref[1, 2] = logp[1, 2] - math.log(2.0)  # k3 = 0.5 + ln 2 - 1
    ref[0, 2] = 5.0  # masked: ignored
    k3_sum = (1 - math.log(2)) + (math.log(2) - 0.5)
    loss = policy_loss(logp, old, ref, adv, mask, beta=0.1)
    assert loss.item() == pytest.approx(4.82 / 5 + 0.1 * k3_sum / 5, rel=1e-6)
    _, stats = policy_loss_with_stats(logp, old, ref, adv, mask, beta=0.1)
    assert stats.kl == pytest.approx(k3_sum / 5, rel=1e-6)


def test_policy_loss_gradient_vanishes_on_clipped_tokens():
    logp, old, adv, mask = _case()
    lp = logp.clone().requires_grad_(True)
    policy_loss(lp, old, logp.clone(), adv, mask, beta=0.0).backward()
    g = lp.grad
    assert g[0, 0].item() == 0.0 and g[1, 0].item() == 0.0  # clipped: no gradient
    assert g[0, 2].item() == 0.0  # masked
    # unclipped: d/dlogp of -rho * A / 5 = -rho * A / 5
    assert g[0, 1].item() == pytest.approx(-0.5 * 1.0 / 5)
    assert g[1, 1].item() == pytest.approx(-1.5 * -2.0 / 5)
    assert torch.isfinite(g).all()


def test_policy_loss_empty_mask_is_zero_and_shapes_are_checked():
    logp, old, adv, _ = _case()
    lp = logp.clone().requires_grad_(True)
    loss = policy_loss(lp, old, old, adv, torch.zeros(2, 3))
    assert loss.item() == 0.0
    loss.backward()
    with pytest.raises(ValueError):
        policy_loss(logp, old, old, torch.zeros(3), torch.ones(2, 3))
    with pytest.raises(ValueError):
        policy_loss(logp, old[:, :2], old, adv, torch.ones(2, 3))
