"""Prisoner registry, sentences and their history, monthly points (计分考核), rewards and
punishments."""
