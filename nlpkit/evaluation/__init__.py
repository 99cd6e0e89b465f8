"""Scores: metrics and the evaluators shared by training, `nlpkit.evaluate` and the benchmarks."""
