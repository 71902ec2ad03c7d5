"""Publish a built site to a git branch (gh-pages) without touching the working tree.

Edge module beside cli: runs git with a temporary index, so the checkout, the staged changes
and HEAD of the user's repository stay as they were. Imports errors, output.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from sitegen.errors import SitegenError
from sitegen.output import MARKER


def _git(repo: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                            env=env, check=False, input="")
    if check and result.returncode != 0:
        raise SitegenError(f"git {' '.join(args)} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout.strip()


def deploy_branch(site: Path, output: Path, *, remote: str, branch: str, message: str | None = None,
                  push: bool = True) -> str | None:
    """Commit `output` as the whole tree of `branch` (plus .nojekyll) and push it.

    Returns the new commit, or None when the branch already holds exactly this site. The
    message defaults to one naming the commit the site was built from.
    """
    if not (output / MARKER).is_file():
        raise SitegenError(f"{output} holds no sitegen build", hint="run sitegen build first")
    try:
        top = Path(_git(site, "rev-parse", "--show-toplevel"))
    except (SitegenError, FileNotFoundError) as exc:
        raise SitegenError(f"{site} is not in a git repository ({exc})",
                           hint="git init, add a remote, then deploy") from None
    if push and not _git(top, "remote", "get-url", remote, check=False):
        raise SitegenError(f"the repository has no remote named '{remote}'; nothing was committed",
                           hint=f"git remote add {remote} URL, or publish to the local branch only "
                                "with --no-push")
    ref = f"refs/heads/{branch}"
    if push:  # start from what the remote has, so the push is a fast-forward
        _git(top, "fetch", "--quiet", remote, f"+{ref}:refs/remotes/{remote}/{branch}", check=False)
    parent = (_git(top, "rev-parse", "--verify", "--quiet", f"refs/remotes/{remote}/{branch}", check=False)
              or _git(top, "rev-parse", "--verify", "--quiet", ref, check=False))
    with tempfile.TemporaryDirectory(prefix="sitegen-deploy-") as scratch:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(scratch) / "index")}
        _git(top, "--work-tree", str(output), "add", "--all", "--force", ".", env=env)
        _git(top, "rm", "--cached", "--quiet", "--ignore-unmatch", MARKER, env=env)
        empty = _git(top, "hash-object", "-w", "--stdin")  # .nojekyll: no Jekyll run on Pages
        _git(top, "update-index", "--add", "--cacheinfo", f"100644,{empty},.nojekyll", env=env)
        tree = _git(top, "write-tree", env=env)
    if parent and _git(top, "rev-parse", f"{parent}^{{tree}}") == tree:
        return None
    if message is None:
        source = _git(site, "rev-parse", "--short", "HEAD", check=False)
        message = f"Publish the site built from {source or 'the working tree'}"
    commit = _git(top, "commit-tree", tree, *(["-p", parent] if parent else []), "-m", message)
    _git(top, "update-ref", ref, commit)
    if push:
        _git(top, "push", "--quiet", remote, f"{ref}:{ref}")
    return commit
