"""Nasr et al.'s inference model h: gain and loss by hand, batch independence, that it learns."""

import math

import numpy as np
import pytest
import torch

from miarep.attacks.inference_model import (
    InferenceModels,
    InferenceShape,
    attack_loss,
    gain,
)

SMALL = InferenceShape(prediction=(16, 8), label=(8,), combine=(8,))


def _gens(seeds):
    return [torch.Generator().manual_seed(s) for s in seeds]


def test_gain_and_losses_equal_hand_computed_values():
    members = torch.tensor([[0.9, 0.6]])
    nonmembers = torch.tensor([[0.2, 0.5]])
    expected_gain = (
        0.5 * (math.log(0.9) + math.log(0.6)) / 2 + 0.5 * (math.log(0.8) + math.log(0.5)) / 2
    )
    assert gain(members, nonmembers).item() == pytest.approx(expected_gain, abs=1e-7)
    assert attack_loss(members, nonmembers, "log_gain").item() == pytest.approx(-expected_gain)
    expected_mse = 0.5 * ((0.1**2 + 0.4**2) / 2 + (0.2**2 + 0.5**2) / 2)
    assert attack_loss(members, nonmembers, "mse").item() == pytest.approx(expected_mse, abs=1e-7)
    with pytest.raises(ValueError, match="objective"):
        attack_loss(members, nonmembers, "hinge")


def test_initial_h_follows_the_released_code_and_says_half():
    h = InferenceModels(3, 2, SMALL, _gens([1, 2]), dtype=torch.float64)
    weights = [p for name, p in h.named_parameters() if p.dim() == 3 and p.shape[1] > 1]
    biases = [p for p in h.parameters() if p.shape[1] == 1]
    assert all(float(b.detach().abs().max()) == 0.0 for b in biases)
    assert np.std(np.concatenate([w.detach().numpy().ravel() for w in weights])) == pytest.approx(
        0.01, rel=0.1
    )
    outputs = torch.randn(2, 50, 3, dtype=torch.float64)
    odds = h(outputs, torch.randint(0, 3, (2, 50)))
    assert odds.shape == (2, 50)
    np.testing.assert_allclose(odds.detach().numpy(), 0.5, atol=1e-3)


def test_a_batch_of_h_is_each_h_alone_including_adam_steps():
    """Adam is elementwise and the loss a sum over models, so batching changes nothing."""
    rng = np.random.default_rng(0)
    outputs = torch.as_tensor(rng.normal(size=(3, 40, 2)))
    labels = torch.as_tensor(rng.integers(0, 2, size=(3, 40)))
    is_member = torch.as_tensor(rng.random((3, 40)) < 0.5)

    def train(models, seeds):
        h = InferenceModels(2, len(models), SMALL, _gens(seeds), dtype=torch.float64)
        optimizer = torch.optim.Adam(h.parameters(), lr=1e-2)
        for _ in range(5):
            odds = h(outputs[models], labels[models])
            target = is_member[models].double()
            loss = (0.5 * (odds - target).square().mean(-1)).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return h(outputs[models], labels[models]).detach()

    together = train([0, 1, 2], [7, 8, 9])
    alone = train([1], [8])
    np.testing.assert_allclose(together[1:2].numpy(), alone.numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("objective", ["mse", "log_gain"])
def test_h_learns_to_tell_members_from_outputs_that_differ(objective):
    """Members' outputs are confident on their label, non-members' are not: h must see it."""
    torch.manual_seed(0)
    n = 400
    labels = torch.randint(0, 2, (1, 2 * n))
    confident = torch.nn.functional.one_hot(labels, 2).double() * 4.0 - 2.0
    noise = torch.randn(1, 2 * n, 2, dtype=torch.float64)
    outputs = torch.cat([confident[:, :n] + 0.3 * noise[:, :n], noise[:, n:]], 1)
    h = InferenceModels(2, 1, SMALL, _gens([3]), dtype=torch.float64)
    optimizer = torch.optim.Adam(h.parameters(), lr=1e-2)
    for _ in range(300):
        odds = h(outputs, labels)
        loss = attack_loss(odds[:, :n], odds[:, n:], objective).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    odds = h(outputs, labels).detach()
    accuracy = 0.5 * ((odds[0, :n] > 0.5).double().mean() + (odds[0, n:] <= 0.5).double().mean())
    assert float(accuracy) > 0.9
    assert float(gain(odds[:, :n], odds[:, n:])) > math.log(0.5) + 0.2


def test_h_needs_a_generator_per_model_and_positive_widths():
    with pytest.raises(ValueError, match="generators"):
        InferenceModels(2, 2, SMALL, _gens([1]))
    with pytest.raises(ValueError, match="positive widths"):
        InferenceShape(prediction=())
