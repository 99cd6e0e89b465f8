"""Other engines that run nlpkit's batch job: Apache Spark (`engines.spark`)."""
