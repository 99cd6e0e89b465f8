"""The one encoder pass: sentence-transformers or model2vec encoders, the on-disk cache, offline distillation."""
