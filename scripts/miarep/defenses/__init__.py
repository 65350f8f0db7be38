"""Defenses on the one engine: Tonni et al.'s Algorithm 1 (a weight penalty scaled by a model
property), its baselines, and the property itself as an output penalty (docs/account.md R)."""
