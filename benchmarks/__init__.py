"""`make bench`: latency and query counts of the hot pages on a scale data set."""
