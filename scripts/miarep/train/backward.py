"""The loss of a batch and its gradients by a hand-written backward pass (faster than autograd for
these small networks, docs/account.md T2), in two forms: any depth, and the fused fast path of the
paper's default network (:attr:`BatchedNetwork.fused`).

The loss is scikit-learn's: binary log-loss for a logistic output, cross-entropy for a softmax,
both on probabilities clipped to [eps, 1 - eps], averaged over the model's records in the batch;
then the output penalties and the weight penalties of :mod:`miarep.train.penalties`. Gradients
follow scikit-learn's ``_backprop``: (A^T delta + alpha W) / batch, biases delta / batch. The
float32 arithmetic here is fixed: reordering it changes results in the last bits, and the result
tables are compared digit for digit with a committed baseline.
"""

from collections.abc import Sequence

import numpy as np
import torch

from miarep.train.network import BatchedNetwork, Parameters
from miarep.train.penalties import as_factor


def loss_and_gradients(
    network: BatchedNetwork,
    params: Parameters,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    counts: np.ndarray,
    penalties: Sequence = (),
    output_penalties: Sequence = (),
):
    """Per-model batch loss (K,) and the gradients of every layer's weights and biases.

    ``inputs`` (K, B, ·) are the gathered training rows (rows of :meth:`training_inputs` on the
    fused path), ``targets`` (K, B, 1) the labels and ``counts`` (K,) the real records of each
    model's batch (its first ``counts[k]`` rows; the rest are padding).
    """
    if network.fused:
        return _fused(network, params, inputs, targets, counts, penalties, output_penalties)
    if params.feature_mask is not None:
        inputs = inputs * params.feature_mask
    return _general(network, params, inputs, targets, counts, penalties, output_penalties)


def loss_and_delta(network, probs, targets, counts: np.ndarray, weights, penalties, outputs):
    """Per-model batch loss (penalties included), output delta d(loss sum)/d(logits) with padding
    rows zeroed, and the gradient scale (1 / records in the batch: a number, or (K, 1, 1) for
    partial batches).

    When every model has a full batch (the common case) the masking arithmetic is skipped;
    the result is the same either way.
    """
    width = probs.shape[1]
    eps = torch.finfo(probs.dtype).eps
    if network.logistic:
        delta = probs - targets
        # sklearn's binary log-loss, -log(p) for label 1 and -log(1 - p) for label 0 with p
        # clipped to [eps, 1 - eps], is -log(1 - |delta|) with |delta| clipped the same way;
        # kept negative (log-likelihood) until the per-model mean, which is cheaper to negate
        log_likelihood = delta.abs().clamp_(eps, 1 - eps).neg_().log1p_()
    else:
        one_hot = torch.zeros_like(probs).scatter_(2, targets.long(), 1.0)
        delta = probs - one_hot
        log_likelihood = probs.clamp(eps, 1 - eps).log_().mul_(one_hot).sum(2, keepdim=True)
    mask3 = None
    if (counts == width).all():
        loss = log_likelihood.mean((1, 2)).neg_()
        scale = 1.0 / width
        per_model_scale = scale
    else:
        count_t = torch.as_tensor(counts, dtype=probs.dtype, device=probs.device)
        mask3 = (
            (torch.arange(width, device=probs.device)[None, :] < count_t[:, None])
            .to(probs.dtype)
            .unsqueeze(-1)
        )
        denom = count_t.clamp(min=1)
        loss = (log_likelihood * mask3).sum((1, 2)).neg_() / denom
        delta = delta * mask3
        scale = (1.0 / denom).reshape(-1, 1, 1)
        per_model_scale = scale.reshape(-1)
    for penalty in outputs:
        value, grad = penalty.value_and_gradient(
            class_probabilities(network, probs), targets, mask3
        )
        loss = loss + value
        delta = delta + _logit_gradient(network, probs, grad)
    for penalty in penalties:
        loss = loss + penalty.value(weights, per_model_scale)
    return loss, delta, scale


def class_probabilities(network, probs):
    """(K, B, C) class probabilities: a logistic unit's P(1) becomes (P(0), P(1))."""
    return torch.cat((1.0 - probs, probs), 2) if network.logistic else probs


def _logit_gradient(network, probs, grad):
    """A gradient w.r.t. the class probabilities, carried to the logits (the output's inputs)."""
    if network.logistic:
        return (grad[..., 1:] - grad[..., :1]) * probs * (1.0 - probs)
    return probs * (grad - (grad * probs).sum(2, keepdim=True))


def _decay(penalties):
    """The penalties' coefficient of W in the unscaled gradient: a number, or (K, 1, 1)."""
    total = 0.0
    for penalty in penalties:
        if np.isscalar(penalty.decay):
            total = total + float(penalty.decay)
        else:
            total = total + np.asarray(penalty.decay, dtype=np.float64)
    return total


def _scaled(grad_w, w, scale, penalties, decay_added: bool = False):
    """(A^T delta + alpha W) / batch, as sklearn's _compute_loss_grad, plus the other penalties."""
    decay = as_factor(_decay(penalties), w)
    if not decay_added:
        if isinstance(decay, float):
            if decay:
                grad_w = grad_w.add(w, alpha=decay)
        else:
            grad_w = grad_w + w * decay
    grad_w = grad_w.mul(scale)
    for penalty in penalties:
        grad_w = penalty.add_gradient(grad_w, w)
    return grad_w


def _decayed_product(w, a, delta, penalties):
    """A^T delta + decay * W as one product where the decay is one number."""
    decay = as_factor(_decay(penalties), w)
    if isinstance(decay, float):
        return torch.baddbmm(w, a.transpose(1, 2), delta, beta=decay)
    return torch.bmm(a.transpose(1, 2), delta).addcmul_(w, decay)


def _output_weight_gradient(network, delta, delta_sum, hidden):
    """sum_b h delta of the output layer. For one logistic unit, one (K, 1, B) x (K, B, H)
    product (in sigmoid form, sum (2s - 1) delta = 2 sum s delta - sum delta)."""
    if not network.logistic:
        return torch.bmm(hidden.transpose(1, 2), delta)
    grad_w = torch.bmm(delta.transpose(1, 2), hidden).transpose(1, 2)
    return grad_w.mul_(2.0).sub_(delta_sum) if network.sigmoid_form else grad_w


def _fused(network, params, inputs, targets, counts, penalties, output_penalties):
    """Loss and gradients of one tanh hidden layer in sigmoid form (see ``network.fused``).

    ``inputs`` are rows of [x | 1 | 0 ...]; masked-out features keep zero weights, so the
    forward needs no input mask, and their gradient rows are zeroed at the end.
    """
    (w_hidden, w_out), b_out = params.weights, params.biases[1]
    d = network.n_inputs
    # s = sigmoid(2 [x | 1 | 0] [W; b; 0]); the 2 rides in the product's alpha
    s = torch.baddbmm(network._zero, inputs, params.stacked, beta=0.0, alpha=2.0).sigmoid_()
    prob = network.output(s, w_out, b_out)
    loss, delta, scale = loss_and_delta(
        network, prob, targets, counts, params.weights, penalties, output_penalties
    )
    delta_sum = delta.sum(1, keepdim=True)
    grad_out = _output_weight_gradient(network, delta, delta_sum, s)
    # tanh'(z) = 4 s (1 - s): s becomes s (1 - s) in place, the 4 rides on w_out
    s.addcmul_(s, s, value=-1.0)
    products = torch.bmm(inputs.mul_(delta).transpose(1, 2), s)
    products.mul_(w_out.transpose(1, 2) * 4.0)
    grad_hidden = products[:, :d]
    if params.feature_mask is not None:
        grad_hidden = grad_hidden * params.feature_mask.transpose(1, 2)
    grads_w = [
        _scaled(grad_hidden, w_hidden, scale, penalties),
        _scaled(grad_out, w_out, scale, penalties),
    ]
    grads_b = [products[:, d : d + 1].mul(scale), delta_sum.mul_(scale)]
    return loss, grads_w, grads_b


def _general(network, params, inputs, targets, counts, penalties, output_penalties):
    """Loss and gradients of any depth, activation and output."""
    weights = params.weights
    acts = network.forward(inputs, weights, params.biases)
    loss, delta, scale = loss_and_delta(
        network, acts[-1], targets, counts, weights, penalties, output_penalties
    )
    last = len(weights) - 1
    grads_w, grads_b = [None] * len(weights), [None] * len(weights)
    for layer in range(last, -1, -1):
        w = weights[layer]
        delta_sum = delta.sum(1, keepdim=True)
        if layer == last:
            grad_w = _scaled(
                _output_weight_gradient(network, delta, delta_sum, acts[layer]),
                w,
                scale,
                penalties,
            )
        else:
            grad_w = _decayed_product(w, acts[layer], delta, penalties)
            grad_w = _scaled(grad_w, w, scale, penalties, decay_added=True)
        grads_w[layer] = grad_w
        grads_b[layer] = delta_sum.mul_(scale)
        if layer:
            hidden = acts[layer]
            if layer == last and network.sigmoid_form:
                # tanh'(z) = 1 - (2s - 1)^2 = 4 s (1 - s); the 4 rides on the weights. The
                # activations are not needed any more, so s becomes the new delta in place.
                hidden.addcmul_(hidden, hidden, value=-1.0)
                delta = hidden.mul_(delta).mul_(w.transpose(1, 2) * 4.0)
                continue
            back = (
                delta * w.transpose(1, 2)
                if layer == last and network.logistic
                else torch.bmm(delta, w.transpose(1, 2))
            )
            if network.config.activation == "tanh":
                # 1 - h^2 in one pass; sklearn's tanh derivative
                delta = back.mul_(torch.mul(hidden, hidden).neg_().add_(1.0))
            else:
                delta = back.masked_fill_(hidden <= 0, 0.0)
    return loss, grads_w, grads_b
