"""Many small MLP classifiers trained at once, as one batched tensor program.

K independent binary MLPs share one set of kernels: weights are (K, in, out) tensors, every layer is
one ``torch.baddbmm``, and the backward pass is written by hand (faster than autograd here, see
docs/account.md T2). Each model has its own initialisation, training set (of any size, padded and
masked) and batch order, all from its own seed, so a model trained in a batch of 100 is the same
model it would be alone.

The training rule is scikit-learn's ``MLPClassifier(solver="sgd")``, step for step: Glorot-uniform
initialisation, one logistic output unit with binary log-loss, mini-batches in a fresh random order
every epoch (the last one partial), gradients averaged over the batch, ``alpha`` as L2 on the
weights scaled by 1/batch size, momentum and Nesterov momentum as in sklearn's SGDOptimizer, and its
stopping rule (stop once the epoch loss has not improved by ``tol`` for more than
``n_iter_no_change`` epochs) applied per model. In float64, with the same initial weights and
batch order, it reproduces scikit-learn's weights to about 1e-14 (tests/test_engine.py).

Two penalties beyond sklearn's: ``l2`` adds l2 * sum(W^2) and ``l1`` adds l1 * sum(|W|) to the mean
loss (the paper's lambda, as in the Shokri reference code's ``l2_ratio``).
"""

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from miarep.core.errors import ConfigError
from miarep.train.allocator import keep_freed_memory
from miarep.train.config import TrainConfig

log = logging.getLogger(__name__)


@dataclass
class History:
    """Per-model training record: epoch losses, epochs run, and whether the stopping rule fired."""

    loss_curves: list[list[float]] = field(default_factory=list)
    n_iter: np.ndarray | None = None
    stopped_early: np.ndarray | None = None


def pick_device(device: str = "auto") -> torch.device:
    """``auto`` means CUDA when available, else CPU; asking for a CUDA device torch cannot see is
    a ConfigError that says so, not a failure deep inside the first tensor operation."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    chosen = torch.device(device)
    if chosen.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if (chosen.index or 0) >= count:
            raise ConfigError(
                f"engine.device is {device!r}, but torch {torch.__version__} sees {count} CUDA "
                "device(s) here: set engine.device to auto (CUDA when present) or cpu"
            )
    return chosen


def generators(seeds: Sequence[int], device: torch.device) -> list[torch.Generator]:
    """One torch generator per model (CPU generators: the same streams on every device)."""
    out = []
    for seed in seeds:
        generator = torch.Generator(device="cpu")
        generator.manual_seed(int(seed))
        out.append(generator)
    return out


def pad_index_sets(index_sets: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(K, n_max) indices padded with 0 and the (K,) set sizes."""
    sizes = np.array([len(s) for s in index_sets], dtype=np.int64)
    padded = np.zeros((len(index_sets), int(sizes.max())), dtype=np.int64)
    for k, rows in enumerate(index_sets):
        padded[k, : len(rows)] = rows
    return padded, sizes


class BatchedMLP:
    """K binary MLPs with identical architecture, trained and evaluated together."""

    def __init__(
        self,
        config: TrainConfig,
        n_inputs: int,
        n_models: int,
        device: str = "auto",
        feature_masks: np.ndarray | None = None,
    ):
        """``feature_masks`` (K, n_inputs) of 0/1 lets model k see only its own features.

        A masked input is zero and its weights start at zero, so they get no gradient (not even
        from the penalties) and the model is the one built on its features alone (the init uses
        each model's own fan-in).
        """
        self.config = config
        self.n_inputs = n_inputs
        self.n_models = n_models
        self.device = pick_device(device)
        self.widths = [n_inputs, *config.hidden, 1]
        self.weights: list[torch.Tensor] = []
        self.biases: list[torch.Tensor] = []
        self.feature_mask = None
        self.fan_in = np.full(n_models, n_inputs)
        self._zero = torch.zeros((1, 1, 1), dtype=config.torch_dtype, device=self.device)
        if feature_masks is not None:
            masks = np.asarray(feature_masks, dtype=np.float64)
            if masks.shape != (n_models, n_inputs) or (masks.sum(1) < 1).any():
                raise ValueError(
                    f"feature_masks must be (K, d) = ({n_models}, {n_inputs}) with "
                    "at least one feature per model"
                )
            self.fan_in = masks.sum(1).astype(int)
            self.feature_mask = torch.as_tensor(
                masks, dtype=config.torch_dtype, device=self.device
            ).unsqueeze(1)

    # ---- initialisation -------------------------------------------------------------------
    def init_glorot(self, gens: Sequence[torch.Generator]) -> None:
        """sklearn's init: U(-b, b), b = sqrt(6 / (fan_in + fan_out)), per model and layer."""
        dtype = self.config.torch_dtype
        self.weights, self.biases = [], []
        for layer, (fan_in, fan_out) in enumerate(
            zip(self.widths[:-1], self.widths[1:], strict=True)
        ):
            fans = self.fan_in if layer == 0 else np.full(self.n_models, fan_in)
            bounds = [math.sqrt(6.0 / (int(f) + fan_out)) for f in fans]
            w = torch.stack(
                [
                    _uniform((fan_in, fan_out), bound, g, dtype)
                    for g, bound in zip(gens, bounds, strict=True)
                ]
            )
            b = torch.stack(
                [
                    _uniform((1, fan_out), bound, g, dtype)
                    for g, bound in zip(gens, bounds, strict=True)
                ]
            )
            w = w.to(self.device)
            if layer == 0 and self.feature_mask is not None:
                # weights of unused features start (and, getting no gradient, stay) at zero, so
                # the L1/L2 penalties and the loss see exactly the model built on its features
                w = w * self.feature_mask.transpose(1, 2)
            self.weights.append(w)
            self.biases.append(b.to(self.device))

    def set_weights(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> None:
        """Start from given (K, in, out) weights and (K, out) biases (to compare with sklearn)."""
        dtype = self.config.torch_dtype
        self.weights = [
            torch.as_tensor(np.asarray(w), dtype=dtype, device=self.device).clone() for w in weights
        ]
        self.biases = [
            torch.as_tensor(np.asarray(b), dtype=dtype, device=self.device)
            .reshape(self.n_models, 1, -1)
            .clone()
            for b in biases
        ]

    # ---- forward ---------------------------------------------------------------------------
    def _inputs(self, x: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        """Each model's input rows (K, B, d), with its unused features zeroed."""
        inputs = x[rows]
        return inputs if self.feature_mask is None else inputs * self.feature_mask

    def _hidden_layer(self, a: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """act(a @ w + b). In float32, tanh(z) is computed as 2 * sigmoid(2z) - 1 (the same
        function, about 4x faster than torch's CPU tanh here), with the factor 2 folded into the
        matmul; float64 keeps torch.tanh for bit-level comparisons with scikit-learn."""
        if self.config.activation == "relu":
            return torch.baddbmm(b, a, w).relu_()
        if a.dtype == torch.float64:
            return torch.baddbmm(b, a, w).tanh_()
        return torch.baddbmm(b, a, w, beta=2.0, alpha=2.0).sigmoid_().mul_(2.0).sub_(1.0)

    def _forward(self, inputs: torch.Tensor, weights=None, biases=None) -> list[torch.Tensor]:
        """Activations of every layer for inputs (K, B, d); the last is P(label 1), (K, B, 1)."""
        weights = self.weights if weights is None else weights
        biases = self.biases if biases is None else biases
        activations = [inputs]
        for w, b in zip(weights[:-2], biases[:-2], strict=True):
            activations.append(self._hidden_layer(activations[-1], w, b))
        if self.sigmoid_form:  # last hidden layer kept as s = sigmoid(2z), tanh(z) = 2s - 1
            s = torch.baddbmm(biases[-2], activations[-1], weights[-2], beta=2.0, alpha=2.0)
            activations.append(s.sigmoid_())
        else:
            activations.append(self._hidden_layer(activations[-1], weights[-2], biases[-2]))
        activations.append(self._output(activations[-1], weights[-1], biases[-1]))
        return activations

    def _output(self, hidden: torch.Tensor, w_out: torch.Tensor, b_out: torch.Tensor):
        """P(label 1) of the single output unit, (K, B, 1), from the last hidden layer.

        A dot product per record beats a (K, B, H) x (K, H, 1) bmm. In sigmoid form,
        (2s - 1) . w + b = 2 (s . w) - sum(w) + b.
        """
        z = torch.linalg.vecdot(hidden, w_out.transpose(1, 2)).unsqueeze(-1)
        if self.sigmoid_form:
            return z.mul_(2.0).add_(b_out - w_out.sum(1, keepdim=True)).sigmoid_()
        return z.add_(b_out).sigmoid_()

    @property
    def sigmoid_form(self) -> bool:
        """Whether the last hidden layer is carried as s = sigmoid(2z) instead of h = tanh(z).

        In float32 with tanh this saves four elementwise passes per step (the affine map from s
        to h is folded into the output layer and its gradients); float64 keeps the literal form
        that is compared with scikit-learn bit for bit.
        """
        return self.config.activation == "tanh" and self.config.dtype == "float32"

    @property
    def fused(self) -> bool:
        """Whether training takes the fused path of one tanh hidden layer in sigmoid form.

        The paper's default network. With a single output unit, layer 0's gradient is
        4 w_out * ([x | 1] * delta)^T s(1 - s): one (K, d+1, B) x (K, B, H) product that gives
        weights and biases at once, with no (K, B, H) delta ever formed, and the bias rides in
        the forward product on a column of ones. That saves three passes over (K, B, H) tensors
        and the bias broadcast: 5-8% per step at K = 100 on the 2-core benchmark machine.
        """
        return self.sigmoid_form and len(self.config.hidden) == 1

    @torch.inference_mode()
    def predict_proba(
        self, x: torch.Tensor, index: np.ndarray | None = None, chunk: int = 8192
    ) -> np.ndarray:
        """Probability vectors (K, M, 2) of every model on its own records.

        ``x`` is the (N, d) data; ``index`` (K, M) picks each model's records (all models see all N
        rows when it is None).
        """
        x = x.to(self.device, self.config.torch_dtype)
        if index is None:
            index = np.broadcast_to(np.arange(x.shape[0]), (self.n_models, x.shape[0]))
        index_t = torch.as_tensor(np.array(index, dtype=np.int64), device=self.device)
        parts = []
        for start in range(0, index_t.shape[1], chunk):
            batch = self._inputs(x, index_t[:, start : start + chunk])
            parts.append(self._forward(batch)[-1][..., 0])
        p1 = torch.cat(parts, dim=1).double().cpu().numpy()
        return np.stack([1.0 - p1, p1], axis=-1)

    # ---- training --------------------------------------------------------------------------
    @torch.inference_mode()
    def fit(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        index_sets: Sequence[np.ndarray],
        gens: Sequence[torch.Generator] | None = None,
        orders: Callable[[int], np.ndarray] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> History:
        """Train model k on rows ``index_sets[k]`` of (x, y) with sklearn's SGD rule.

        Batch orders come from each model's generator (a fresh permutation of its own rows every
        epoch) unless ``orders(epoch)`` gives the (K, n_max) positions explicitly. A model that
        meets the stopping rule leaves the working tensors at once, so it is the model it would
        be if trained alone.
        """
        cfg = self.config
        dtype, device = cfg.torch_dtype, self.device
        keep_freed_memory()  # no page faults in the step loop (see miarep.train.allocator)
        if gens is None and orders is None:
            raise ValueError("fit needs per-model generators or explicit orders")
        if not self.weights:
            if gens is None:
                raise ValueError("fit without set_weights needs generators for the init")
            self.init_glorot(gens)
        x = self._training_inputs(x.to(device, dtype).contiguous())
        y = y.to(device, dtype).contiguous()
        padded, all_sizes = pad_index_sets(index_sets)
        n_models, n_max = padded.shape
        state = _WorkingSet(self, np.arange(n_models), torch.as_tensor(padded, device=device))
        best = np.full(n_models, np.inf)
        no_improvement = np.zeros(n_models, dtype=np.int64)
        n_iter = np.zeros(n_models, dtype=np.int64)
        curves = np.zeros((cfg.epochs, n_models))
        active = np.ones(n_models, dtype=bool)
        batch_size = cfg.batch_size
        for epoch in range(cfg.epochs):
            alive = state.models
            sizes = all_sizes[alive]
            if orders is not None:
                order = torch.as_tensor(np.asarray(orders(epoch))[alive], device=device)
            else:
                order = self._permutations([gens[k] for k in alive], sizes, n_max)
            epoch_rows = torch.gather(state.rows, 1, order)
            epoch_loss = torch.zeros(len(alive), dtype=torch.float64, device=device)
            for start in range(0, int(sizes.max()), batch_size):
                stop = min(start + batch_size, n_max)
                counts = np.clip(sizes - start, 0, stop - start)
                batch_loss = self._step(x, y, epoch_rows[:, start:stop], counts, state)
                if (counts == stop - start).all():
                    epoch_loss.add_(batch_loss, alpha=stop - start)
                else:
                    epoch_loss += batch_loss.double() * torch.as_tensor(counts, device=device)
            losses = epoch_loss.cpu().numpy() / sizes
            curves[epoch, alive] = losses
            n_iter[alive] += 1
            if cfg.tol is not None:
                worse = losses > best[alive] - cfg.tol
                no_improvement[alive] = np.where(worse, no_improvement[alive] + 1, 0)
                best[alive] = np.minimum(best[alive], losses)
                active[alive] = no_improvement[alive] <= cfg.n_iter_no_change
            if progress is not None:
                progress(epoch + 1, int(active.sum()))
            if not active.any():
                break
            state.keep_only(active)
        state.write_back()
        return History(
            loss_curves=[curves[: n_iter[k], k].tolist() for k in range(n_models)],
            n_iter=n_iter,
            stopped_early=n_iter < cfg.epochs,
        )

    def _permutations(self, gens, sizes: np.ndarray, n_max: int) -> torch.Tensor:
        """Each model's fresh permutation of its own rows, padded with the unused positions."""
        order = np.empty((len(gens), n_max), dtype=np.int64)
        for k, (generator, size) in enumerate(zip(gens, sizes, strict=True)):
            order[k, :size] = torch.randperm(int(size), generator=generator).numpy()
            order[k, size:] = np.arange(size, n_max)
        return torch.as_tensor(order, device=self.device)

    def _step(self, x, y, batch_rows, counts: np.ndarray, state: "_WorkingSet") -> torch.Tensor:
        """One SGD step of every working model with records in this batch; returns batch losses.

        ``x`` is the augmented data (see :meth:`_training_inputs`) on the fused path.
        """
        n_working, width = batch_rows.shape
        flat = batch_rows.reshape(-1)
        inputs = x.index_select(0, flat).view(n_working, width, -1)
        targets = y.index_select(0, flat).view(n_working, width, 1)
        if self.fused:
            loss, grads_w, grads_b = self._fused_gradients(inputs, targets, counts, state)
        else:
            if state.feature_mask is not None:
                inputs = inputs * state.feature_mask
            loss, grads_w, grads_b = self._gradients(inputs, targets, counts, state)
        self._update(state, grads_w, grads_b, counts > 0)
        return loss

    def _training_inputs(self, x: torch.Tensor) -> torch.Tensor:
        """The data the steps gather from: x itself, or [x | 1 | 0 ...] on the fused path.

        The column of ones carries layer 0's bias through its product; zero columns pad the
        rows to a multiple of 16 values (64 bytes), which makes the per-step gather faster.
        """
        if not self.fused:
            return x
        augmented = torch.zeros(len(x), self.stacked_width, dtype=x.dtype, device=x.device)
        augmented[:, : self.n_inputs] = x
        augmented[:, self.n_inputs] = 1.0
        return augmented

    @property
    def stacked_width(self) -> int:
        """Rows of layer 0's stacked parameters on the fused path: weights, bias, zero padding."""
        return -(-(self.n_inputs + 1) // 16) * 16

    def _loss_and_delta(self, prob, targets, counts: np.ndarray, weights):
        """Per-model batch loss (penalties included), output delta (padding rows zeroed) and the
        gradient scale (1 / records in the batch: a number, or (K, 1, 1) for partial batches).

        When every model has a full batch (the common case) the masking arithmetic is skipped;
        the result is the same either way.
        """
        cfg = self.config
        width = prob.shape[1]
        eps = torch.finfo(prob.dtype).eps
        delta = prob - targets
        # sklearn's binary log-loss, -log(p) for label 1 and -log(1 - p) for label 0 with p
        # clipped to [eps, 1 - eps], is -log(1 - |delta|) with |delta| clipped the same way;
        # kept negative (log-likelihood) until the per-model mean, which is cheaper to negate
        log_likelihood = delta.abs().clamp_(eps, 1 - eps).neg_().log1p_()
        if (counts == width).all():
            loss = log_likelihood.mean((1, 2)).neg_()
            scale = 1.0 / width
            per_model_scale = scale
        else:
            count_t = torch.as_tensor(counts, dtype=prob.dtype, device=prob.device)
            mask3 = (
                (torch.arange(width, device=prob.device)[None, :] < count_t[:, None])
                .to(prob.dtype)
                .unsqueeze(-1)
            )
            denom = count_t.clamp(min=1)
            loss = (log_likelihood * mask3).sum((1, 2)).neg_() / denom
            delta = delta * mask3
            scale = (1.0 / denom).reshape(-1, 1, 1)
            per_model_scale = scale.reshape(-1)
        if cfg.alpha or cfg.l2:
            squares = sum((w * w).sum((1, 2)) for w in weights)
            loss = loss + 0.5 * cfg.alpha * squares * per_model_scale
            if cfg.l2:
                loss = loss + cfg.l2 * squares
        if cfg.l1:
            loss = loss + cfg.l1 * sum(w.abs().sum((1, 2)) for w in weights)
        return loss, delta, scale

    def _scaled(self, grad_w: torch.Tensor, w: torch.Tensor, scale, alpha_added: bool = False):
        """(A^T delta + alpha W) / batch, as sklearn's _compute_loss_grad, plus the l2/l1 terms."""
        cfg = self.config
        if cfg.alpha and not alpha_added:
            grad_w = grad_w.add(w, alpha=cfg.alpha)
        grad_w = grad_w.mul(scale)
        if cfg.l2:
            grad_w.add_(w, alpha=2.0 * cfg.l2)
        if cfg.l1:
            grad_w.add_(torch.sign(w), alpha=cfg.l1)
        return grad_w

    def _output_weight_gradient(self, delta, delta_sum, hidden):
        """sum_b h delta of the single output unit, as one (K, 1, B) x (K, B, H) product
        (in sigmoid form, sum (2s - 1) delta = 2 sum s delta - sum delta)."""
        grad_w = torch.bmm(delta.transpose(1, 2), hidden).transpose(1, 2)
        return grad_w.mul_(2.0).sub_(delta_sum) if self.sigmoid_form else grad_w

    def _fused_gradients(self, inputs, targets, counts: np.ndarray, state: "_WorkingSet"):
        """Loss and gradients of one tanh hidden layer in sigmoid form (see :attr:`fused`).

        ``inputs`` are rows of [x | 1 | 0 ...]; masked-out features keep zero weights, so the
        forward needs no input mask, and their gradient rows are zeroed at the end.
        """
        (w_hidden, w_out), b_out = state.weights, state.biases[1]
        d = self.n_inputs
        # s = sigmoid(2 [x | 1 | 0] [W; b; 0]); the 2 rides in the product's alpha
        s = torch.baddbmm(self._zero, inputs, state.stacked, beta=0.0, alpha=2.0).sigmoid_()
        prob = self._output(s, w_out, b_out)
        loss, delta, scale = self._loss_and_delta(prob, targets, counts, state.weights)
        delta_sum = delta.sum(1, keepdim=True)
        grad_out = self._output_weight_gradient(delta, delta_sum, s)
        # tanh'(z) = 4 s (1 - s): s becomes s (1 - s) in place, the 4 rides on w_out
        s.addcmul_(s, s, value=-1.0)
        products = torch.bmm(inputs.mul_(delta).transpose(1, 2), s)
        products.mul_(w_out.transpose(1, 2) * 4.0)
        grad_hidden = products[:, :d]
        if state.feature_mask is not None:
            grad_hidden = grad_hidden * state.feature_mask.transpose(1, 2)
        grads_w = [self._scaled(grad_hidden, w_hidden, scale), self._scaled(grad_out, w_out, scale)]
        grads_b = [products[:, d : d + 1].mul(scale), delta_sum.mul_(scale)]
        return loss, grads_w, grads_b

    def _gradients(self, inputs, targets, counts: np.ndarray, state: "_WorkingSet"):
        """Loss and gradients of any depth by a hand-written backward pass."""
        cfg = self.config
        weights = state.weights
        acts = self._forward(inputs, weights, state.biases)
        loss, delta, scale = self._loss_and_delta(acts[-1], targets, counts, weights)
        last = len(weights) - 1
        grads_w, grads_b = [None] * len(weights), [None] * len(weights)
        for layer in range(last, -1, -1):
            w = weights[layer]
            delta_sum = delta.sum(1, keepdim=True)
            if layer == last:
                grad_w = self._scaled(
                    self._output_weight_gradient(delta, delta_sum, acts[layer]), w, scale
                )
            else:
                grad_w = torch.baddbmm(w, acts[layer].transpose(1, 2), delta, beta=cfg.alpha)
                grad_w = self._scaled(grad_w, w, scale, alpha_added=True)
            grads_w[layer] = grad_w
            grads_b[layer] = delta_sum.mul_(scale)
            if layer:
                hidden = acts[layer]
                if layer == last and self.sigmoid_form:
                    # tanh'(z) = 1 - (2s - 1)^2 = 4 s (1 - s); the 4 rides on the weights. The
                    # activations are not needed any more, so s becomes the new delta in place.
                    hidden.addcmul_(hidden, hidden, value=-1.0)
                    delta = hidden.mul_(delta).mul_(w.transpose(1, 2) * 4.0)
                    continue
                back = (
                    delta * w.transpose(1, 2)
                    if layer == last
                    else torch.bmm(delta, w.transpose(1, 2))
                )
                if cfg.activation == "tanh":
                    # 1 - h^2 in one pass; sklearn's tanh derivative
                    delta = back.mul_(torch.mul(hidden, hidden).neg_().add_(1.0))
                else:
                    delta = back.masked_fill_(hidden <= 0, 0.0)
        return loss, grads_w, grads_b

    def _update(self, state: "_WorkingSet", grads_w, grads_b, stepping: np.ndarray) -> None:
        """sklearn's SGD update (with momentum / Nesterov) of the models that had records."""
        cfg = self.config
        gate = None
        if not stepping.all():
            reference = state.weights[0]
            gate = torch.as_tensor(stepping, dtype=reference.dtype, device=reference.device)
            gate = gate.reshape(-1, 1, 1)
        for params, velocities, grads in (
            (state.weights, state.velocity_w, grads_w),
            (state.biases, state.velocity_b, grads_b),
        ):
            for param, velocity, grad in zip(params, velocities, grads, strict=True):
                if cfg.momentum:
                    new_velocity = cfg.momentum * velocity - cfg.learning_rate * grad
                    if gate is None:
                        velocity.copy_(new_velocity)
                    else:
                        velocity.copy_(torch.where(gate.bool(), new_velocity, velocity))
                    update = (
                        cfg.momentum * velocity - cfg.learning_rate * grad
                        if cfg.nesterov
                        else velocity
                    )
                    param.add_(update if gate is None else update * gate)
                elif gate is None:
                    param.add_(grad, alpha=-cfg.learning_rate)
                else:
                    param.sub_(cfg.learning_rate * grad * gate)


class _WorkingSet:
    """The models still training: their weights, velocities, feature masks and training rows.

    A model that stops is written back to the engine and dropped (its tensors are small, so
    re-indexing them costs little), which freezes it exactly where the stopping rule fired and
    spends no later step on it. On the fused path, layer 0's weights, bias and zero padding are
    one (K, d_aug, H) tensor ``stacked`` that the forward product uses as it is; ``weights[0]``
    and ``biases[0]`` are views of it, so the SGD update writes through.
    """

    def __init__(self, engine: BatchedMLP, models: np.ndarray, rows: torch.Tensor):
        self.engine = engine
        self.models = models
        self.rows = rows
        self.weights = list(engine.weights)
        self.biases = list(engine.biases)
        self.velocity_w = [torch.zeros_like(w) for w in self.weights]
        self.velocity_b = [torch.zeros_like(b) for b in self.biases]
        self.feature_mask = engine.feature_mask
        self.stacked = None
        self._stack_first_layer()

    def _stack_first_layer(self) -> None:
        if not self.engine.fused:
            return
        w, b = self.weights[0], self.biases[0]
        n_models, d, width = w.shape
        padding = w.new_zeros(n_models, self.engine.stacked_width - d - 1, width)
        self.stacked = torch.cat((w, b, padding), 1)
        self.weights[0], self.biases[0] = self.stacked[:, :d], self.stacked[:, d : d + 1]

    def keep_only(self, active: np.ndarray) -> None:
        keep = active[self.models]
        if keep.all():
            return
        self.write_back()
        index = torch.as_tensor(np.flatnonzero(keep), device=self.engine.device)
        self.models = self.models[keep]
        pick = lambda tensors: [t.index_select(0, index) for t in tensors]  # noqa: E731
        self.weights, self.biases = pick(self.weights), pick(self.biases)
        self.velocity_w, self.velocity_b = pick(self.velocity_w), pick(self.velocity_b)
        self.rows = self.rows.index_select(0, index)
        if self.feature_mask is not None:
            self.feature_mask = self.feature_mask.index_select(0, index)
        self._stack_first_layer()

    def write_back(self) -> None:
        if len(self.models) == self.engine.n_models:
            self.engine.weights, self.engine.biases = self.weights, self.biases
            return
        index = torch.as_tensor(self.models, device=self.engine.device)
        for master, working in zip(
            self.engine.weights + self.engine.biases, self.weights + self.biases, strict=True
        ):
            master.index_copy_(0, index, working)


def _uniform(shape, bound, generator, dtype) -> torch.Tensor:
    return (
        (torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1).mul_(bound).to(dtype)
    )
