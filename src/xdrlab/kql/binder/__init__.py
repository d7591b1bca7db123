"""Binding: names resolved against the row scope and lets, types inferred, SQL produced."""
