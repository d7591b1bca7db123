"""KQL syntax: tokens, the lexer, AST nodes with source positions, and the parser core."""
