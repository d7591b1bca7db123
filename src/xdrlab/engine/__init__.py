"""Engines that run compiled hunting queries over the lake (DuckDB embedded; distributed later)."""
