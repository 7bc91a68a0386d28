"""`personae marketplace …` as an operator runs it, each command a real process against one
temporary SQLite database: publish a cast from one community → search → view → install into
another community → installed → rate → report → takedown → restore → uninstall; and bad input
(an unknown share code) gets one clear line, a non-zero exit code, and changes nothing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine.content import bundled_cast

ROOT = Path(__file__).resolve().parents[2]
CARDS = {json.loads(p.read_text())["data"]["name"]: p for p in bundled_cast()}
SOURCE = "console:longbourn"
TARGET = "console:netherfield"
CREATOR = "console:cass:Cass"
FAN = "console:fanny:Fanny"


def personae(db: Path, *args: str, base_url: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PERSONAE_DATABASE_URL=f"sqlite:///{db}",
               PERSONAE_REDIS_URL="fakeredis://", PERSONAE_PUBLIC_BASE_URL=base_url)
    return subprocess.run([sys.executable, "-m", "bots.cli.main", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def ok(db: Path, *args: str, base_url: str = "") -> str:
    """Run a command that must succeed; its standard output."""
    result = personae(db, *args, base_url=base_url)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stdout


def refused(db: Path, *args: str) -> str:
    """Run a command that must be refused with one clear line (exit code 2, no trace)."""
    result = personae(db, *args)
    assert result.returncode == 2, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: ")
    return result.stderr


def names(db: Path, space: str) -> list[str]:
    """The community's characters (the first column of `characters list`)."""
    listed = ok(db, "characters", "list", "--space", space)
    return sorted(line.split("\t")[0] for line in listed.splitlines() if line.strip())


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Longbourn (Elizabeth and Jane) and Netherfield (Lydia, of its own)."""
    path = tmp_path / "market.db"
    ok(path, "characters", "import", str(CARDS["Elizabeth Bennet"]), str(CARDS["Jane Bennet"]),
       "--space", SOURCE, "--channel", "hall")
    ok(path, "characters", "import", str(CARDS["Lydia Bennet"]), "--space", TARGET,
       "--channel", "hall")
    return path


def test_publish_install_rate_report_takedown_restore_uninstall(db: Path) -> None:
    published = ok(db, "marketplace", "publish", "cast", "Longbourn Sisters", "--space", SOURCE,
                   "--description", "The two eldest Bennets.", "--tag", "regency",
                   "--genre", "romance", "--as", CREATOR)
    found = re.fullmatch(r"Published Longbourn Sisters 1\.0\.0: share code "
                         r"([A-Z2-9]{4}-[A-Z2-9]{4}) \(public\)\.\n", published)
    assert found, published
    code = found.group(1)

    searched = ok(db, "marketplace", "search", "longb")
    assert searched.startswith(f"{code}  Longbourn Sisters [cast, romance] — no ratings yet, "
                               "0 installs, by Cass"), searched
    assert ok(db, "marketplace", "search", "--tag", "regency").startswith(code)

    viewed = ok(db, "marketplace", "view", code)
    assert "versions: 1.0.0; tags: regency" in viewed and "The two eldest Bennets." in viewed
    assert "  • Elizabeth Bennet" in viewed and "  • Jane Bennet" in viewed

    installed = ok(db, "marketplace", "install", code.lower(), "--space", TARGET,
                   "--channel", "hall", "--as", "console:lydia:Lydia")
    assert installed.startswith("Installed Longbourn Sisters 1.0.0: 2 characters, "), installed
    assert names(db, TARGET) == ["Elizabeth Bennet", "Jane Bennet", "Lydia Bennet"]
    assert ok(db, "marketplace", "installed", "--space", TARGET).strip() == \
        f"{code}  Longbourn Sisters 1.0.0"
    again = refused(db, "marketplace", "install", code, "--space", TARGET)
    assert "already installed here; update it instead" in again

    rated = ok(db, "marketplace", "rate", code, "4", "--review", "Lovely sisters.", "--as", FAN)
    assert rated.strip() == f"Rated {code}: 4★."
    assert "A rating is 1 to 5 stars." in refused(db, "marketplace", "rate", code, "9",
                                                  "--as", FAN)
    viewed = ok(db, "marketplace", "view", code)
    assert "4.0★ (1), 1 installs" in viewed and "★★★★☆ Fanny: Lovely sisters." in viewed
    own = refused(db, "marketplace", "rate", code, "5", "--as", CREATOR)
    assert "Creators cannot rate their own packages." in own

    reported = ok(db, "marketplace", "report", code, "Copies my own cast.", "--as", FAN)
    assert re.fullmatch(r"Reported \(#\d+\); a moderator will look at it\.\n", reported)
    assert ok(db, "marketplace", "reports").strip().endswith(
        f"{code} Longbourn Sisters: Copies my own cast.")

    assert ok(db, "marketplace", "takedown", code, "Plagiarised.").strip() == \
        f"Took down {code} Longbourn Sisters."
    assert ok(db, "marketplace", "search", "longb").strip() == "No listings found."
    assert ok(db, "marketplace", "reports").strip() == "No open reports."
    hidden = refused(db, "marketplace", "view", code, "--as", FAN)
    assert f"Package {code!r} was taken down by the moderators." in hidden
    assert "TAKEN DOWN: Plagiarised." in ok(db, "marketplace", "view", code, "--as", CREATOR)
    assert ok(db, "marketplace", "stats", "--as", CREATOR).startswith(
        f"{code}  Longbourn Sisters 1.0.0 [taken_down]: 1 installs, 1 active")
    # Installed copies stay after a takedown.
    assert names(db, TARGET) == ["Elizabeth Bennet", "Jane Bennet", "Lydia Bennet"]

    assert ok(db, "marketplace", "restore", code).strip() == f"Restored {code} Longbourn Sisters."
    assert ok(db, "marketplace", "search", "longb").startswith(code)

    removed = ok(db, "marketplace", "uninstall", code, "--space", TARGET)
    assert removed.startswith("Uninstalled: removed ") and "Elizabeth Bennet" in removed
    assert names(db, TARGET) == ["Lydia Bennet"]  # what the install added, and only that
    assert names(db, SOURCE) == ["Elizabeth Bennet", "Jane Bennet"]
    assert ok(db, "marketplace", "installed", "--space", TARGET).strip() == \
        "No packages installed."


def test_an_unknown_share_code_is_named_and_changes_nothing(db: Path) -> None:
    """Viewing, installing, rating and uninstalling a code nobody published each say so in one
    line with exit code 2; the target community keeps exactly its own character."""
    assert "No package 'ZZZZ-ZZZZ' in the marketplace." in refused(
        db, "marketplace", "view", "ZZZZ-ZZZZ")
    assert "No package 'ZZZZ-ZZZZ' in the marketplace." in refused(
        db, "marketplace", "install", "ZZZZ-ZZZZ", "--space", TARGET)
    assert "No package 'ZZZZ-ZZZZ' in the marketplace." in refused(
        db, "marketplace", "rate", "ZZZZ-ZZZZ", "3", "--as", FAN)
    assert "No installed package 'ZZZZ-ZZZZ' here." in refused(
        db, "marketplace", "uninstall", "ZZZZ-ZZZZ", "--space", TARGET)
    assert "No community 'console:nowhere'" in refused(
        db, "marketplace", "install", "ZZZZ-ZZZZ", "--space", "console:nowhere")
    assert names(db, TARGET) == ["Lydia Bennet"]
    assert ok(db, "marketplace", "installed", "--space", TARGET).strip() == \
        "No packages installed."
    # Avatars from kept images need the public address first; with it, nothing to do here.
    assert "PERSONAE_PUBLIC_BASE_URL is not set" in refused(db, "marketplace", "refresh-avatars")
    assert ok(db, "marketplace", "refresh-avatars", "--space", TARGET,
              base_url="https://personae.example.org").strip() == "Avatars set for 0 characters."
