"""sitegen deploy gh-pages, against a local bare repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

from click.testing import CliRunner

from sitegen.cli import cli
from tests.conftest import WriteSite, post


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def make_repo(write_site: WriteSite, tmp_path: Path) -> tuple[Path, Path]:
    site = write_site({"content/posts/a.md": post(tags="[paradigm shift in AI]"),
                       "sitegen.yaml": "base_url: https://user.github.io/blog/\n",
                       ".gitignore": "public/\n.public.lock\n"})
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    git(site, "init", "--quiet", "-b", "main")
    git(site, "config", "user.email", "writer@example.org")
    git(site, "config", "user.name", "Writer")
    git(site, "add", ".")
    git(site, "commit", "--quiet", "-m", "posts")
    git(site, "remote", "add", "origin", str(remote))
    return site, remote


def test_deploy_commits_the_site_to_gh_pages_without_touching_the_checkout(
        write_site: WriteSite, tmp_path: Path, runner: CliRunner) -> None:
    site, remote = make_repo(write_site, tmp_path)
    (site / "notes.txt").write_text("unsaved work")  # untracked
    (site / "content/posts/a.md").write_text(post(body="edited, not staged", tags="[paradigm shift in AI]"))
    head, status = git(site, "rev-parse", "HEAD"), git(site, "status", "--porcelain")
    branch = git(site, "symbolic-ref", "HEAD")

    result = runner.invoke(cli, ["deploy", "gh-pages", str(site)])
    assert result.exit_code == 0, result.output
    assert "pushed to origin" in result.output

    assert (git(site, "rev-parse", "HEAD"), git(site, "symbolic-ref", "HEAD")) == (head, branch)
    assert git(site, "status", "--porcelain") == status
    files = git(remote, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert ".nojekyll" in files and "index.html" in files and ".sitegen" not in files
    assert "tags/paradigm-shift-in-ai/index.html" in files
    page = git(remote, "show", "gh-pages:posts/a/index.html")
    assert "edited, not staged" in page and 'href="/blog/' in page

    again = runner.invoke(cli, ["deploy", "gh-pages", str(site)])
    assert again.exit_code == 0 and "nothing to publish" in again.output
    (site / "content/posts/b.md").write_text(post("Second"))
    third = runner.invoke(cli, ["deploy", "gh-pages", str(site)])
    assert third.exit_code == 0, third.output
    assert git(remote, "rev-list", "--count", "gh-pages") == "2"  # a fast-forward on top


def test_deploy_outside_a_repository_says_so(write_site: WriteSite, runner: CliRunner) -> None:
    site = write_site({"content/posts/a.md": post()})
    result = runner.invoke(cli, ["deploy", "gh-pages", str(site)])
    assert result.exit_code == 1 and "not in a git repository" in result.stderr


def test_deploy_prints_the_warnings_of_its_build(write_site: WriteSite, tmp_path: Path,
                                                 runner: CliRunner) -> None:
    site, remote = make_repo(write_site, tmp_path)
    (site / "content/posts/b.md").write_text(post("Beta", titel="typo"))
    (site / "sitegen.yaml").write_text("title: Blog\nbase_url: https://example.com/\n")
    built = runner.invoke(cli, ["build", str(site), "-o", str(tmp_path / "elsewhere")])
    deployed = runner.invoke(cli, ["deploy", "gh-pages", str(site)])
    assert deployed.exit_code == 0, deployed.output
    warnings = [line for line in built.stderr.splitlines() if ": warning: " in line]
    assert [line.split(": warning: ")[0] for line in warnings] == [
        "content/posts/b.md:4:1", "sitegen.yaml:2:11"]
    assert deployed.stderr == built.stderr  # the same lines, hints and all, as build's
    assert "pushed to origin" in deployed.stdout


def test_deploy_without_the_remote_says_how_to_add_it_and_commits_nothing(
        write_site: WriteSite, tmp_path: Path, runner: CliRunner) -> None:
    site, _ = make_repo(write_site, tmp_path)
    git(site, "remote", "remove", "origin")
    result = runner.invoke(cli, ["deploy", "gh-pages", str(site)])
    assert result.exit_code == 1
    assert "no remote named 'origin'" in result.stderr and "git remote add origin" in result.stderr
    assert "Traceback" not in result.output
    assert not git(site, "branch", "--list", "gh-pages"), "a commit was made all the same"
