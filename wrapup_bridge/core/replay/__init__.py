"""Replay's pure parts, independent of where a replay writes: the plan file (``plan``), the pipeline that makes
and applies it (``pipeline``), the checks an item passes before it is applied (``verify``), the durable ledger
that makes an apply safe to kill and run again (``ledger``), and the dead letters a retry reads back
(``deadletter``). The replay service (``services.replay``) drives them against a target."""
