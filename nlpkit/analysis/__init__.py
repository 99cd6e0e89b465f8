"""What an analyst does with predictions: evidence per topic, same-story groups, the digest, what to label next."""
