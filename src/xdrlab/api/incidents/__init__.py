"""Incidents and alerts: the shared service and the two wire shapes (Defender API and Graph)."""
