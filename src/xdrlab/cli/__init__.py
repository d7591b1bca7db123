"""The `xdrlab` command: the server, the admin commands, and (later) the hunter's commands."""
