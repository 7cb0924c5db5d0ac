"""Differential tests: every tests/e2e/diff/*.redis script is sent, line by line, to a fresh
Ferrous and a fresh redis-server 7.0, and every reply must match (see ferrous_diff for the
script syntax and the annotations that relax a comparison)."""

import pytest

import ferrous_diff as fd

SCRIPTS = fd.script_paths()


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_script(path, ferrous, oracle):
    script = fd.parse_script(path)
    mismatches = fd.run_differential(script, ferrous, oracle)
    assert not mismatches, fd.format_mismatches(script, mismatches, ferrous)


def test_scripts_exist():
    assert len(SCRIPTS) >= 5, f"expected differential scripts in {fd.DIFF_DIR}"
