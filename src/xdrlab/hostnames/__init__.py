"""The host-name mode: xdrlab answering as production's own host names.

`xdrlab serve --hostnames` listens on a loopback address, port 443, with a certificate from
xdrlab's CA for the production host names (`names`), and answers each host with the part of
the platform production serves there (`dispatch`). `xdrlab run -- COMMAND` runs a program in
a private mount namespace whose `/etc/hosts` maps those names to that address, with xdrlab's
CA trusted (`runner`, `namespace`), so scripts that hard-code production URLs run unchanged.
"""
