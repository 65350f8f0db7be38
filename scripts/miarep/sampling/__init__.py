"""Layer 3, sampling: property-stratified draws of target and shadow datasets (reporting what
each draw achieved, by the measures below), study designs, split files and protected groups."""
