"""Layer 5, attacks: membership-inference attacks on trained models (Shokri et al.'s shadow-model
attack today). Imports the layers below."""
