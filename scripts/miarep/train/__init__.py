"""Layer 4, train: the batched MLP engine and the model zoo behind one interface.

``config`` holds the engine's settings without importing torch, so figures and tables can read
them. The engine is in parts: ``network`` (parameters, forward), ``backward`` (hand-written
gradients, the fused fast path), ``penalties``, ``optimizers``, ``loop`` (epochs, per-model
stopping, hooks) and ``autograd`` (the reference forward pass); ``engine`` puts them together.
"""
