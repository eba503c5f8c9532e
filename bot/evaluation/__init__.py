"""Evaluation: scoring retrieval, answers and abstention on question/answer sets."""
