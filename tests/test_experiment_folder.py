"""``experiment_folder``: the one way every experiment command takes its results folder."""

from __future__ import annotations

import json

import pytest

from townsim.experiments.core.atomic import LOCK_NAME
from townsim.experiments.core.outdir import experiment_folder, locked
from townsim.experiments.errors import UserError


def _manifest(folder, command="compare", digest="abc"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps({"townsim_command": command, "settings_hash": digest}))


def test_a_new_folder_is_made_locked_and_not_resuming(tmp_path):
    with experiment_folder("compare", tmp_path / "new", "abc", lambda: tmp_path / "unused") as (out, resuming):
        assert out == tmp_path / "new" and out.is_dir() and not resuming
        assert (out / LOCK_NAME).exists()


def test_the_default_is_used_without_out(tmp_path):
    with experiment_folder("compare", None, "abc", lambda: tmp_path / "default") as (out, resuming):
        assert out == tmp_path / "default" and not resuming


def test_same_settings_resume_other_settings_and_other_commands_are_refused(tmp_path):
    _manifest(tmp_path / "f")
    with experiment_folder("compare", tmp_path / "f", "abc", lambda: tmp_path) as (_, resuming):
        assert resuming
    with pytest.raises(UserError, match="other settings"):
        with experiment_folder("compare", tmp_path / "f", "xyz", lambda: tmp_path):
            pass
    with pytest.raises(UserError, match="not an earlier 'townsim sweep' output"):
        with experiment_folder("sweep", tmp_path / "f", "abc", lambda: tmp_path):
            pass


def test_a_folder_in_use_is_refused_before_any_work(tmp_path):
    (tmp_path / "busy").mkdir()
    ran = []
    with locked(tmp_path / "busy"):
        with pytest.raises(UserError, match="in use by another townsim command"):
            with experiment_folder("compare", tmp_path / "busy", "abc", lambda: tmp_path):
                ran.append(1)
    assert not ran


def test_the_default_folder_is_checked_once_held(tmp_path):
    """Without --out the folder is only known at the lock: what another command wrote there is refused."""
    _manifest(tmp_path / "taken", command="sweep")
    with pytest.raises(UserError, match="not an earlier 'townsim compare' output"):
        with experiment_folder("compare", None, "abc", lambda: tmp_path / "taken"):
            pass
