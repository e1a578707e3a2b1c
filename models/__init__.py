"""Training data, training code and trained heads of wording's classifier (see models/README.md)."""
