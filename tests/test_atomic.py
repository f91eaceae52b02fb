"""Atomic writes: the old file survives any failure, no temporary file is left behind."""

import os
import stat

import pytest

from whorunsit.report.atomic import write_atomic


def test_writes_new_file(tmp_path):
    target = tmp_path / "out.json"
    write_atomic(target, "{}\n")
    assert target.read_text() == "{}\n"
    assert os.listdir(tmp_path) == ["out.json"]


def test_replaces_existing_file_and_keeps_its_mode(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_new_file_gets_the_umask_mode_not_a_private_one(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "r.md", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r.md").stat().st_mode) == 0o644


def test_failed_write_leaves_old_file_intact_and_no_temp(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("previous report\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "half a report \udc80 and the rest")  # unencodable midway
    assert target.read_text() == "previous report\n"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_failed_rename_leaves_old_file_intact(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("previous\n")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, "new")
    assert target.read_text() == "previous\n"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_missing_directory_names_the_requested_file(tmp_path):
    target = tmp_path / "nope" / "out.json"
    with pytest.raises(FileNotFoundError) as info:
        write_atomic(target, "{}")
    assert info.value.filename == str(target)
