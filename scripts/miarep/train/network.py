"""K small MLPs with one architecture, as batched tensors: parameters, initialisation, forward pass.

Weights are (K, in, out) tensors and every layer is one ``torch.baddbmm``, so K models cost a few
kernels (docs/account.md T2). The output is one logistic unit (binary labels) or a softmax over C
units. Each model may see only its own features (``feature_masks``). The hand-written backward pass
lives in :mod:`miarep.train.backward`, the autograd twin of this forward pass in
:mod:`miarep.train.autograd`.

Two float32 forms make the paper's default network fast on a CPU, both the same function: tanh(z)
is computed as 2 * sigmoid(2z) - 1 (about 4x faster than torch's CPU tanh here), and with a
logistic output the last hidden layer is carried as s = sigmoid(2z) itself, its affine map to tanh
folded into the output layer (``sigmoid_form``). float64 keeps the literal form, compared with
scikit-learn bit for bit, unless a test asks for the other (``tanh_form``).
"""

import math
from collections.abc import Sequence

import numpy as np
import torch

from miarep.core.errors import ConfigError
from miarep.train.config import TrainConfig

TANH_FORMS = ("auto", "sigmoid", "literal")

#: values of one layer's activations (all models, one chunk of rows) a CPU forward pass for
#: prediction holds at a time: 2**20 float32 values are 4 MiB, which stay in cache. On the
#: 2-core benchmark machine, 100 5x50 models predicting 10,000 rows each took about 0.4 s in
#: chunks of this size against 0.9-1.7 s in chunks of 8,192 rows.
CPU_CHUNK_VALUES = 2**20
#: chunks are a multiple of this many rows. The CPU's matrix kernels work on blocks of rows: on
#: 10,000 rows, a row's outputs were the same to the last bit in chunks of 128, 256, 512 or 8,192
#: rows but not of 209; on 3,334 rows, chunks of 640 and 8,192 differed in the last bit (1e-8).
CHUNK_ROW_MULTIPLE = 64
#: rows per forward chunk on a GPU, where large products are what make it fast
GPU_CHUNK_ROWS = 8192


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


def generators(seeds: Sequence[int], device: torch.device | None = None) -> list[torch.Generator]:
    """One torch generator per model (CPU generators: the same streams on every device)."""
    out = []
    for seed in seeds:
        generator = torch.Generator(device="cpu")
        generator.manual_seed(int(seed))
        out.append(generator)
    return out


class Parameters:
    """Weights, biases and feature masks of some of the network's models (all, or the ones still
    training).

    On the fused path (:attr:`BatchedNetwork.fused`) layer 0's weights, bias and zero padding are
    one (K, d_aug, H) tensor ``stacked`` that the forward product uses as it is; ``weights[0]`` and
    ``biases[0]`` are views of it, so an optimiser writing them in place writes it too.
    """

    def __init__(self, network: "BatchedNetwork", weights, biases, feature_mask, models):
        self.network = network
        self.weights = list(weights)
        self.biases = list(biases)
        self.feature_mask = feature_mask
        self.models = models
        self.stacked = None
        if network.fused:
            w, b = self.weights[0], self.biases[0]
            n_models, d, width = w.shape
            padding = w.new_zeros(n_models, network.stacked_width - d - 1, width)
            self.stacked = torch.cat((w, b, padding), 1)
            self.weights[0], self.biases[0] = self.stacked[:, :d], self.stacked[:, d : d + 1]

    @property
    def tensors(self) -> list[torch.Tensor]:
        """Weights then biases, the order optimisers keep their state in."""
        return self.weights + self.biases

    def take(self, keep: np.ndarray) -> "Parameters":
        """The parameters of the models at positions ``keep`` (re-stacked on the fused path)."""
        index = torch.as_tensor(keep, device=self.weights[0].device)
        pick = lambda tensors: [t.index_select(0, index) for t in tensors]  # noqa: E731
        mask = None if self.feature_mask is None else self.feature_mask.index_select(0, index)
        return Parameters(
            self.network, pick(self.weights), pick(self.biases), mask, self.models[keep]
        )


class BatchedNetwork:
    """K MLPs with identical architecture: their parameters and their forward pass."""

    def __init__(
        self,
        config: TrainConfig,
        n_inputs: int,
        n_models: int,
        device: str = "auto",
        feature_masks: np.ndarray | None = None,
        tanh_form: str = "auto",
    ):
        """``feature_masks`` (K, n_inputs) of 0/1 lets model k see only its own features.

        A masked input is zero and its weights start at zero, so they get no gradient (not even
        from the penalties) and the model is the one built on its features alone (the init uses
        each model's own fan-in). ``tanh_form`` "sigmoid" or "literal" overrides the choice of
        form that "auto" makes from the dtype (module docstring).
        """
        if tanh_form not in TANH_FORMS:
            raise ValueError(f"tanh_form must be one of {TANH_FORMS}, got {tanh_form!r}")
        self.config = config
        self.n_inputs = n_inputs
        self.n_models = n_models
        self.device = pick_device(device)
        self.widths = [n_inputs, *config.hidden, config.n_outputs]
        self.weights: list[torch.Tensor] = []
        self.biases: list[torch.Tensor] = []
        self.feature_mask = None
        self.fan_in = np.full(n_models, n_inputs)
        self.tanh_form = tanh_form
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

    # ---- forms -----------------------------------------------------------------------------
    @property
    def logistic(self) -> bool:
        """One logistic output unit (else a softmax over ``n_classes`` units)."""
        return self.config.output == "logistic"

    @property
    def sigmoid_form(self) -> bool:
        """Whether the last hidden layer is carried as s = sigmoid(2z) instead of h = tanh(z).

        In float32 with tanh this saves four elementwise passes per step (the affine map from s
        to h is folded into the output unit and its gradients); float64 keeps the literal form
        that is compared with scikit-learn bit for bit.
        """
        if self.config.activation != "tanh" or not self.logistic:
            return False
        if self.tanh_form == "auto":
            return self.config.dtype == "float32"
        return self.tanh_form == "sigmoid"

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

    @property
    def stacked_width(self) -> int:
        """Rows of layer 0's stacked parameters on the fused path: weights, bias, zero padding."""
        return -(-(self.n_inputs + 1) // 16) * 16

    # ---- parameters ------------------------------------------------------------------------
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

    def parameters(self) -> Parameters:
        """All models' parameters (the working copy a training run starts from)."""
        return Parameters(
            self, self.weights, self.biases, self.feature_mask, np.arange(self.n_models)
        )

    def write_back(self, params: Parameters) -> None:
        """Copy the models in ``params`` into the network's own tensors."""
        if len(params.models) == self.n_models:
            self.weights, self.biases = params.weights, params.biases
            return
        index = torch.as_tensor(params.models, device=self.device)
        for master, working in zip(self.weights + self.biases, params.tensors, strict=True):
            master.index_copy_(0, index, working)

    # ---- forward ---------------------------------------------------------------------------
    def inputs_of(self, x: torch.Tensor, rows: torch.Tensor, copies: int = 1) -> torch.Tensor:
        """Each model's input rows (K, B, d), with its unused features zeroed; with ``copies``
        > 1, one (K / copies, B, d) block per group of models that share their rows."""
        inputs = x[rows]
        if self.feature_mask is None:
            return inputs
        return inputs * self.feature_mask[::copies]

    @staticmethod
    def product(
        a: torch.Tensor, w: torch.Tensor, b: torch.Tensor, scale: float, copies: int = 1
    ) -> torch.Tensor:
        """scale * (a @ w + b) as one baddbmm per layer.

        With ``copies`` > 1, the K models come in consecutive groups of that many that read the
        same rows ``a`` (K / copies, B, d): each group's weights are laid side by side so the
        group's rows are gathered and multiplied once (Algorithm 1's copies of one model). Every
        output value is the same dot product either way.
        """
        if copies == 1:
            return torch.baddbmm(b, a, w, beta=scale, alpha=scale)
        n_models, d, h = w.shape
        groups, rows = n_models // copies, a.shape[1]
        side_by_side = w.reshape(groups, copies, d, h).permute(0, 2, 1, 3).reshape(groups, d, -1)
        bias = b.reshape(groups, copies, 1, h).permute(0, 2, 1, 3).reshape(groups, 1, -1)
        z = torch.baddbmm(bias, a, side_by_side, beta=scale, alpha=scale)
        return z.view(groups, rows, copies, h).transpose(1, 2).reshape(n_models, rows, h)

    def hidden_layer(
        self, a: torch.Tensor, w: torch.Tensor, b: torch.Tensor, copies: int = 1
    ) -> torch.Tensor:
        """act(a @ w + b). In float32, tanh(z) is computed as 2 * sigmoid(2z) - 1, with the
        factor 2 folded into the matmul; float64 keeps torch.tanh."""
        if self.config.activation == "relu":
            return self.product(a, w, b, 1.0, copies).relu_()
        if a.dtype == torch.float64:
            return self.product(a, w, b, 1.0, copies).tanh_()
        return self.product(a, w, b, 2.0, copies).sigmoid_().mul_(2.0).sub_(1.0)

    def forward(
        self, inputs: torch.Tensor, weights=None, biases=None, copies: int = 1
    ) -> list[torch.Tensor]:
        """Activations of every layer for inputs (K, B, d); the last holds the output
        probabilities: P(label 1), (K, B, 1), or the softmax, (K, B, C). With ``copies`` > 1
        the inputs are one (K / copies, B, d) block per group of models (:meth:`product`)."""
        weights = self.weights if weights is None else weights
        biases = self.biases if biases is None else biases
        activations = [inputs]
        for w, b in zip(weights[:-2], biases[:-2], strict=True):
            activations.append(self.hidden_layer(activations[-1], w, b, copies))
            copies = 1  # only the first layer reads inputs a group shares
        if self.sigmoid_form:  # last hidden layer kept as s = sigmoid(2z), tanh(z) = 2s - 1
            s = self.product(activations[-1], weights[-2], biases[-2], 2.0, copies)
            activations.append(s.sigmoid_())
        else:
            activations.append(self.hidden_layer(activations[-1], weights[-2], biases[-2], copies))
        activations.append(self.output(activations[-1], weights[-1], biases[-1]))
        return activations

    def output(self, hidden: torch.Tensor, w_out: torch.Tensor, b_out: torch.Tensor):
        """Output probabilities from the last hidden layer.

        A logistic unit is a dot product per record, which beats a (K, B, H) x (K, H, 1) bmm;
        in sigmoid form, (2s - 1) . w + b = 2 (s . w) - sum(w) + b.
        """
        if not self.logistic:
            return torch.baddbmm(b_out, hidden, w_out).softmax(-1)
        z = torch.linalg.vecdot(hidden, w_out.transpose(1, 2)).unsqueeze(-1)
        if self.sigmoid_form:
            return z.mul_(2.0).add_(b_out - w_out.sum(1, keepdim=True)).sigmoid_()
        return z.add_(b_out).sigmoid_()

    @torch.inference_mode()
    def predict_proba(
        self,
        x: torch.Tensor,
        index: np.ndarray | None = None,
        chunk: int = 8192,
        copies: int = 1,
    ) -> np.ndarray:
        """Probability vectors (K, M, C) of every model on its own records (C = 2 for a logistic
        output: P(label 0), P(label 1)).

        ``x`` is the (N, d) data; ``index`` (K, M) picks each model's records (all models see all N
        rows when it is None); ``chunk`` rows go through the network at a time (their number can
        change the outputs' last bits, :data:`CHUNK_ROW_MULTIPLE`; :meth:`chunk_rows` is the
        fast choice). ``copies`` > 1 says that the models come in groups of
        that many with the same rows (:meth:`product`); the results are the same.
        """
        probs = self._on_rows(x, index, chunk, copies, lambda layers: layers[-1])
        probs = probs.double().cpu().numpy()
        if not self.logistic:
            return probs
        p1 = probs[..., 0]
        return np.stack([1.0 - p1, p1], axis=-1)

    @torch.inference_mode()
    def predict_logits(
        self, x: torch.Tensor, index: np.ndarray | None = None, chunk: int = 8192
    ) -> torch.Tensor:
        """(K, M, C) outputs of a softmax network before its softmax, in the engine's dtype and
        on its device, on the records ``index`` picks as in ``predict_proba``."""
        if self.logistic:
            raise ValueError("a logistic output has no softmax to read before")
        return self._on_rows(
            x,
            index,
            chunk,
            1,
            lambda layers: torch.baddbmm(self.biases[-1], layers[-2], self.weights[-1]),
        )

    def chunk_rows(self) -> int:
        """Rows per forward chunk when predicting: on a CPU, as many as keep one layer's
        activations of all K models within :data:`CPU_CHUNK_VALUES`; on a GPU, large chunks."""
        if self.device.type != "cpu":
            return GPU_CHUNK_ROWS
        rows = CPU_CHUNK_VALUES // (self.n_models * max(self.widths[1:]))
        return max(1, rows // CHUNK_ROW_MULTIPLE) * CHUNK_ROW_MULTIPLE

    def _grouped(self, index: np.ndarray, copies: int) -> bool:
        """Whether the models come in consecutive groups of ``copies`` with the same rows and
        the same feature mask (what :meth:`product` may share)."""
        if self.n_models % copies:
            return False
        if (index != np.repeat(index[::copies], copies, 0)).any():
            return False
        mask = self.feature_mask
        return mask is None or bool(torch.equal(mask, mask[::copies].repeat_interleave(copies, 0)))

    def _on_rows(self, x, index, chunk, copies, read) -> torch.Tensor:
        """``read`` of the forward pass's activations, chunk by chunk over the picked records."""
        x = x.to(self.device, self.config.torch_dtype)
        if index is None:
            index = np.broadcast_to(np.arange(x.shape[0]), (self.n_models, x.shape[0]))
        index = np.array(index, dtype=np.int64)
        if copies > 1:
            if not self._grouped(index, copies):
                raise ValueError(
                    f"copies={copies}: the {self.n_models} models must come in groups of "
                    f"{copies} that predict the same records with the same features"
                )
            index = index[::copies]
        index_t = torch.as_tensor(index, device=self.device)
        parts = []
        for start in range(0, index_t.shape[1], chunk):
            batch = self.inputs_of(x, index_t[:, start : start + chunk], copies)
            parts.append(read(self.forward(batch, copies=copies)))
        return torch.cat(parts, dim=1)

    def training_inputs(self, x: torch.Tensor) -> torch.Tensor:
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


def _uniform(shape, bound, generator, dtype) -> torch.Tensor:
    return (
        (torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1).mul_(bound).to(dtype)
    )
