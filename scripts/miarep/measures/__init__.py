"""Layer 2, measures: data and model properties of the paper (numpy) and attack metrics (balanced
accuracy, AUC, TPR at low FPR, intervals). Imports core and data; no torch."""
