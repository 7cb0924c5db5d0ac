"""Randomized differential test: the same random command sequence (fixed seed) to Ferrous
and to redis-server 7.0, every reply compared (sorted where Redis's order is unspecified).
FERROUS_RANDOM_DIFF_COUNT and FERROUS_RANDOM_DIFF_SEED give a longer or another run."""

import os

import pytest

from ferrous_diff import exact_client, replies_match, show
from random_diff import commands

COUNT = int(os.environ.get("FERROUS_RANDOM_DIFF_COUNT", "3000"))
SEED = int(os.environ.get("FERROUS_RANDOM_DIFF_SEED", "20261126"))
GROUP_SETS = {
    "strings-keys": ["strings", "keyspace"],
    "all-types": ["strings", "keyspace", "lists", "hashes", "sets", "zsets"],
}


@pytest.mark.parametrize("name", sorted(GROUP_SETS))
def test_random_commands_match_redis(name, start_server, oracle):
    ferrous = exact_client(start_server(args=["--workers", "2"]))
    redis_ = exact_client(oracle)
    history = []
    for i, (args, checks) in enumerate(commands(SEED, COUNT, GROUP_SETS[name])):
        ours, theirs = ferrous.execute_command(*args), redis_.execute_command(*args)
        history.append(" ".join(args))
        if not replies_match(ours, theirs, checks):
            context = "\n".join(f"    {h}" for h in history[-12:])
            pytest.fail(f"seed {SEED}, command {i}: {' '.join(args)}\n  ferrous: {show(ours)}\n"
                        f"  redis:   {show(theirs)}\n  last commands:\n{context}", pytrace=False)
