"""The KQL compiler: syntax, binding, lowering to sqlglot trees."""
