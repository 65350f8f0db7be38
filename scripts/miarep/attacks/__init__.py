"""Layer 5, attacks: membership-inference attacks on trained models behind one interface (Shokri
et al.'s shadow-model attack, Song and Mittal's metric attacks and risk score, Nasr et al.'s NN
attack and the inference model h it shares with adversarial regularization). Imports the layers
below."""
