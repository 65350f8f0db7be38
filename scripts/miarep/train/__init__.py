"""Layer 4, train: the batched MLP engine and the model zoo behind one interface. ``config``
holds the engine's settings without importing torch, so figures and tables can read them."""
