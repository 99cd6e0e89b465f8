"""What reads the vectors: document pooling, the topic classifier and its thresholds, the summarizers, the evidence."""
