from __future__ import annotations

import gc
import io
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen import __version__
from sitegen.cli import cli
from tests.conftest import REPO, WriteSite, post
from tests.test_reliability import start_serve


def test_build_prints_a_summary_and_exits_0(runner: CliRunner, write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(tags="[x]"), "sitegen.yaml": "base_url: https://e.org/\n"})
    result = runner.invoke(cli, ["build", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Built 16 pages (1 post, 1 tag) and 1 static file in ")
    assert result.stdout.rstrip().endswith("-> public/; 17 files changed")
    again = runner.invoke(cli, ["build", str(root)], catch_exceptions=False)
    assert again.stdout.rstrip().endswith("-> public/; no file changed")


def test_errors_exit_1_with_locations_sorted_and_counted(runner: CliRunner, write_site: WriteSite) -> None:
    root = write_site({"content/posts/good.md": post("Good")})
    assert runner.invoke(cli, ["build", str(root)]).exit_code == 0
    before = {p: p.read_bytes() for p in (root / "public").rglob("*") if p.is_file()}
    write_site({
        "content/posts/z.md": post(date="2024-02-30"),
        "content/posts/a.md": "---\ntitle: ok\ndate: 2024-01-01\n\ttags: [x]\n---\n",
        "content/posts/m.md": post(tags="5"),
        "content/posts/n.md": "---\ndate: 2024-01-01\n---\n",
        "content/posts/o.md": "---\ntitle: open\n",
    })
    result = runner.invoke(cli, ["build", str(root)])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert [line.split(": error: ")[0] for line in lines] == [
        "content/posts/a.md:4:1", "content/posts/m.md:4:7", "content/posts/n.md:1:1",
        "content/posts/o.md:1:1", "content/posts/z.md:3:7"]
    assert "hint: quote it: tags: [\"5\"]" in result.stderr
    assert "5 errors; the output folder was left as it was." in result.stderr
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in (root / "public").rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("files", [
    pytest.param({"content/posts/a.md": post(date="2024-02-30")}, id="content"),
    pytest.param({"content/posts/a.md": post(), "sitegen.yaml": "titel: x\n"}, id="config"),
])
def test_a_failed_first_build_says_no_site_was_written(runner: CliRunner, write_site: WriteSite,
                                                       files: dict[str, str]) -> None:
    root = write_site(files)
    for args in ([], ["-o", str(root / "elsewhere")]):
        result = runner.invoke(cli, ["build", str(root), *args])
        assert result.exit_code == 1
        assert "no site was written." in result.stderr and "1 error" in result.stderr
        assert "left as it was" not in result.stderr
    assert not (root / "public").exists() and not (root / "elsewhere").exists()


def test_an_interrupted_first_build_says_no_site_was_written(write_site: WriteSite) -> None:
    # The template runs until the build is interrupted, once the build holds its output lock
    root = write_site({"content/posts/a.md": post(),
                       "templates/post.html": "{% for i in range(10 ** 12) %}{% endfor %}\n"})
    process = subprocess.Popen([sys.executable, "-m", "sitegen", "build", str(root), "-j", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while not (root / ".public.lock").exists() and process.poll() is None:
            threading.Event().wait(0.01)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "Interrupted; no site was written." in err and not (root / "public").exists()


def test_refused_output_is_a_usage_error(runner: CliRunner, write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post()})
    result = runner.invoke(cli, ["build", str(root), "-o", str(root)])
    assert result.exit_code == 2
    assert "refusing to write the site" in result.stderr


def test_bad_base_url_and_config_keys_are_errors(runner: CliRunner, write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(), "sitegen.yaml": "titel: x\nposts_per_page: 0\n"})
    result = runner.invoke(cli, ["build", str(root), "--base-url", "nope"])
    assert result.exit_code == 1
    assert "sitegen.yaml:1:1: error: unknown key 'titel'" in result.stderr
    assert "did you mean 'title'?" in result.stderr
    assert "sitegen.yaml:2:17: error: posts_per_page must be" in result.stderr
    assert "--base-url: error:" in result.stderr


def test_base_url_option_changes_links(runner: CliRunner, write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post()})
    result = runner.invoke(cli, ["build", str(root), "--base-url", "https://u.github.io/blog"])
    assert result.exit_code == 0, result.output
    html = (root / "public/index.html").read_text()
    assert 'href="/blog/posts/a/"' in html
    assert '<link rel="canonical" href="https://u.github.io/blog/">' in html


def test_drafts_and_future_flags(runner: CliRunner, write_site: WriteSite) -> None:
    root = write_site({"content/posts/d.md": post(draft="true"),
                       "content/posts/f.md": post("F", date="2999-01-01")})
    result = runner.invoke(cli, ["build", str(root), "-q"])
    assert result.exit_code == 0 and not (root / "public/posts/d").exists()
    assert not (root / "public/posts/f").exists()
    result = runner.invoke(cli, ["build", str(root), "--drafts", "--future"])
    assert "skipped" not in result.stdout
    assert (root / "public/posts/d/index.html").exists() and (root / "public/posts/f/index.html").exists()


def test_unknown_command_and_option_are_usage_errors(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["biuld"]).exit_code == 2
    assert runner.invoke(cli, ["build", "--nope"]).exit_code == 2


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_init_creates_a_site_that_builds(runner: CliRunner, tmp_path: Path) -> None:
    site = tmp_path / "blog"
    result = runner.invoke(cli, ["init", str(site)])
    assert result.exit_code == 0
    assert (site / "sitegen.yaml").is_file() and (site / "templates").is_dir() and (site / "static").is_dir()
    assert len(list((site / "content/posts").glob("*.md"))) == 1
    assert runner.invoke(cli, ["build", str(site)]).exit_code == 0
    again = runner.invoke(cli, ["init", str(site)])
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_new_writes_a_post_that_builds(runner: CliRunner, tmp_path: Path) -> None:
    site = tmp_path / "blog"
    runner.invoke(cli, ["init", str(site)])
    result = runner.invoke(cli, ["new", 'Hello: "quotes" & C++', "--tags", "paradigm shift in AI, C++",
                                 "--draft", "--site", str(site)])
    assert result.exit_code == 0, result.output
    path = site / result.stdout.strip()
    assert path.name == "hello-quotes-and-cpp.md"
    text = path.read_text()
    assert 'tags: ["paradigm shift in AI", "C++"]' in text and "draft: true" in text
    assert runner.invoke(cli, ["build", str(site), "--drafts"]).exit_code == 0
    assert (site / "public/tags/paradigm-shift-in-ai/index.html").is_file()
    assert runner.invoke(cli, ["new", 'Hello: "quotes" & C++', "--site", str(site)]).exit_code == 1


def test_the_writing_hint_of_a_new_post_is_never_published(runner: CliRunner, tmp_path: Path) -> None:
    site = tmp_path / "blog"
    runner.invoke(cli, ["init", str(site)])
    result = runner.invoke(cli, ["new", "Left as it came", "--site", str(site)])
    written = (site / result.stdout.strip()).read_text().splitlines()
    advice = [line.lstrip("# ")[:15] for line in written
              if line.strip() and line != "---" and not line.startswith(("title:", "date:"))]
    assert advice, written
    assert runner.invoke(cli, ["build", str(site)]).exit_code == 0
    published = "".join(p.read_text() for p in (site / "public").rglob("*")
                        if p.suffix in (".html", ".xml", ".txt"))
    assert "Left as it came" in published
    assert not [words for words in advice if words in published]


def test_python_dash_m_runs_the_real_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", str(REPO), "-o", str(tmp_path / "out")],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "Built " in result.stdout
    assert (tmp_path / "out/tags/paradigm-shift-in-ai/index.html").is_file()


def test_the_real_command_ends_once_all_it_printed_reached_a_pipe(tmp_path: Path) -> None:
    """The command ends its process at once after the build (what it made is never freed): the
    warnings, the table and the summary are all written, the cache kept, the status 0."""
    command = [sys.executable, "-m", "sitegen", "build", str(REPO), "-o", str(tmp_path / "out"), "-v"]
    first = subprocess.run(command, capture_output=True, text=True, check=False)
    again = subprocess.run(command, capture_output=True, text=True, check=False)
    assert (first.returncode, again.returncode) == (0, 0), first.stderr + again.stderr
    assert "Rendered 0 pages; the others had not changed." in again.stdout
    assert again.stdout.rstrip().splitlines()[-1].startswith("Built ")
    assert "post" in first.stdout.split("Rendered")[0]  # the table of kinds, before it


def test_tags_lists_counts_and_flags_near_duplicates(runner: CliRunner, write_site: WriteSite) -> None:
    root = write_site({
        "content/posts/a.md": post("A", tags="[Git, LLM, open source, e-mail, Kubernetes]"),
        "content/posts/b.md": post("B", tags="[git, LLMs, email, Kubernets]"),
        "content/posts/c.md": post("C", tags="[C++, C#, C]"),
    })
    result = runner.invoke(cli, ["tags", str(root)], terminal_width=200)
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.strip()}
    assert rows["Git"][1:5] == ["git", "2", "Git,", "git"]
    flagged = [line for line in result.stdout.splitlines() if line.startswith("likely duplicate")]
    assert any("Git / git" in line and "spelled differently" in line for line in flagged)
    assert any("LLM / LLMs" in line and "plural" in line for line in flagged)
    assert any("e-mail / email" in line for line in flagged)
    assert any("Kubernetes / Kubernets" in line and "one letter" in line for line in flagged)
    assert not any("C++" in line or "C#" in line for line in flagged)
    assert result.stdout.rstrip().endswith("11 tags, 4 likely duplicates.")


def test_tags_lists_what_it_can_then_the_errors(runner: CliRunner, write_site: WriteSite) -> None:
    root = write_site({
        "content/posts/a.md": post("A", tags="[Go, web]"),
        "content/posts/b.md": post("B", tags="[go-lang]"),
        "content/posts/c.md": post("C", tags="[web]", date="2025-02-30"),
        "tags.yaml": "Go:\n  slug: go-lang\n",
    })
    result = runner.invoke(cli, ["tags", str(root)], catch_exceptions=False)
    assert result.exit_code == 1
    rows = [line.split()[0] for line in result.stdout.splitlines()[1:4]]
    assert rows == ["Go", "go-lang", "web"]  # the clash it exists to report, and the rest
    assert "3 tags, 1 likely duplicate." in result.stdout
    assert "would share the URL /tags/go-lang/" in result.stderr
    assert "content/posts/c.md:3:7: error:" in result.stderr and "2 errors" in result.stderr
    broken = write_site({"content/posts/a.md": post(), "tags.yaml": "x:\n  slug: BAD\n"})
    unreadable = runner.invoke(cli, ["tags", str(broken)])
    assert unreadable.exit_code == 1 and isinstance(unreadable.exception, SystemExit)
    assert "tags.yaml:2:3: error: slug of 'x'" in unreadable.stderr


def test_tags_prints_whole_lines_into_a_pipe(write_site: WriteSite) -> None:
    long = "the history of distributed consensus protocols in practice"
    root = write_site({"content/posts/a.md": post(tags=f"[{long}]")})
    result = subprocess.run([sys.executable, "-m", "sitegen", "tags", str(root)],
                            capture_output=True, text=True, check=False, env={"COLUMNS": "40"})
    assert result.returncode == 0, result.stderr
    [row] = [line for line in result.stdout.splitlines() if line.strip().startswith("the history")]
    assert row.split("  ")[0].strip() == long
    assert long.replace(" ", "-") in row.split()


def test_tags_flags_plurals_but_not_spellings_an_alias_joined(runner: CliRunner,
                                                              write_site: WriteSite) -> None:
    root = write_site({
        "content/posts/a.md": post("A", tags="[policy, box, day, LLM]"),
        "content/posts/b.md": post("B", tags="[policies, boxes, daies, LLMs, llm]"),
        "tags.yaml": "LLM:\n  aliases: [LLMs]\n",
    })
    result = runner.invoke(cli, ["tags", str(root)])
    flagged = [line for line in result.stdout.splitlines() if line.startswith("likely duplicate")]
    assert "likely duplicate: policy / policies (singular and plural)" in flagged
    assert "likely duplicate: box / boxes (singular and plural)" in flagged
    assert not any("day / daies" in line for line in flagged)
    assert not any("LLM" in line for line in flagged), flagged  # tags.yaml settled it


@pytest.mark.parametrize("where", [["DIR"], ["-s", "DIR"], ["--site", "DIR"]])
def test_every_tags_command_takes_the_site_the_same_ways(runner: CliRunner, write_site: WriteSite,
                                                         where: list[str]) -> None:
    root = write_site({"content/posts/a.md": post(tags="[old]")})
    site = [str(root) if w == "DIR" else w for w in where]
    listing = runner.invoke(cli, ["tags", *site])
    assert listing.exit_code == 0 and "1 tag," in listing.stdout, listing.output
    dry = runner.invoke(cli, ["tags", "rename", "old", "new", *site, "--dry-run"])
    assert dry.exit_code == 0 and "+tags: [new]" in dry.stdout, dry.output
    merged = runner.invoke(cli, ["tags", "merge", "old", "new", *site])
    assert merged.exit_code == 0 and "tags: [new]" in (root / "content/posts/a.md").read_text()


def test_tags_refuses_two_different_site_folders(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["tags", str(tmp_path), "--site", str(tmp_path / "other")])
    assert result.exit_code == 2 and "two site folders" in result.output


def test_github_annotations(runner: CliRunner, write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(tags="5")})
    result = runner.invoke(cli, ["build", str(root)], env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 1
    assert ('::error file=content/posts/a.md,line=4,col=7::tags must be a list of strings, got a '
            'number (5) (hint: quote it: tags: ["5"])') in result.stdout
    plain = runner.invoke(cli, ["build", str(root)], env={"GITHUB_ACTIONS": ""})
    assert "::error" not in plain.output


def test_no_color_when_not_a_terminal(runner: CliRunner, write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(tags="5")})
    result = runner.invoke(cli, ["build", str(root)], color=True, env={"NO_COLOR": "1"})
    assert "\x1b[" not in result.output


def test_verbose_and_quiet(runner: CliRunner, write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(tags="[x]")})
    verbose = runner.invoke(cli, ["build", str(root), "--verbose"])
    assert "tag.html" in verbose.stdout and "atom.xml" in verbose.stdout
    quiet = runner.invoke(cli, ["build", str(root), "--quiet"])
    assert quiet.exit_code == 0 and quiet.output == ""


def test_progress_bar_only_on_a_terminal_after_a_second(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console

    from sitegen import console as console_module

    with console_module.progress(True) as update:  # the test runner is not a terminal
        assert update is None
    screen = io.StringIO()
    terminal = Console(force_terminal=True, file=screen, width=80)
    monkeypatch.setattr(console_module, "stderr", lambda: terminal)
    ticks = iter([0.0, 0.5, 2.0, 2.1, 2.2, 2.3, 2.4, 2.5])
    monkeypatch.setattr(console_module.time, "perf_counter", lambda: next(ticks, 3.0))
    with console_module.progress(True) as update:
        assert update is not None
        update(1, 3)  # 0.5 s: nothing shown yet
        assert screen.getvalue() == ""
        update(2, 3)  # 2.0 s: the bar starts
        assert "Rendering" in screen.getvalue()
        assert threading.active_count() == 1  # no refresh thread: render workers can still fork


def test_the_cycle_collector_rests_during_a_build_only(runner: CliRunner, write_site: WriteSite,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A build's objects live until it ends, so the collector is off while it runs; on again
    after it, for whatever runs next in the same process (tests, an embedding program)."""
    from sitegen import cli as cli_module

    seen = []
    real = cli_module.builder_stage.build
    monkeypatch.setattr(cli_module.builder_stage, "build",
                        lambda *args, **kwargs: seen.append(gc.isenabled()) or real(*args, **kwargs))
    site = write_site({"content/posts/a.md": post()})
    assert runner.invoke(cli, ["build", str(site), "-q"]).exit_code == 0
    assert seen == [False] and gc.isenabled()


def test_every_command_and_option_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    commands = [(name, command) for name, command in cli.commands.items()]
    for name, group in list(commands):  # and each command of a group: sitegen import wordpress
        commands += [(f"{name} {sub}", command) for sub, command in getattr(group, "commands", {}).items()]
    for name, command in commands:
        assert f"sitegen {name}" in readme, name
        assert command.help, name
        for param in command.params:
            for option in getattr(param, "opts", []):
                if option.startswith("-") and option not in ("-h", "--help"):
                    assert f"`{option}" in readme or f", {option}" in readme, f"{name} {option}"


# --- base_url: unset or an example address is said by build, check and deploy; never by serve ---


def test_init_leaves_base_url_to_be_set_and_build_says_so(runner: CliRunner, tmp_path: Path) -> None:
    site = tmp_path / "blog"
    assert runner.invoke(cli, ["init", str(site)]).exit_code == 0
    text = (site / "sitegen.yaml").read_text()
    assert "# base_url: https://your.domain/" in text
    assert not [line for line in text.splitlines() if line.startswith("base_url")]
    result = runner.invoke(cli, ["build", str(site)])
    assert result.exit_code == 0, result.output
    assert "sitegen.yaml: warning: base_url is not set; feeds, the sitemap and canonical links will " \
           "point at http://localhost:8000/" in result.stderr
    assert "hint: set base_url in sitegen.yaml to the address the site is published at " \
           "(base_url: https://your.domain/), or pass --base-url" in result.stderr
    # uncommented as it stands, the example is still no address
    (site / "sitegen.yaml").write_text(text.replace("# base_url:", "base_url:"))
    line = text.splitlines().index("# base_url: https://your.domain/") + 1
    result = runner.invoke(cli, ["build", str(site)])
    assert f"sitegen.yaml:{line}:11: warning: base_url https://your.domain/ is not a public address " \
           "(your.domain is a placeholder)" in result.stderr


EXAMPLE_ADDRESSES = {
    "https://example.org/": "example.org is reserved for examples",
    "https://blog.example.com/": "blog.example.com is reserved for examples",
    "http://EXAMPLE.NET/notes/": "example.net is reserved for examples",
    "https://my.blog.test/": "my.blog.test is reserved for examples",
    "https://site.example/": "site.example is reserved for examples",
    "http://localhost:8000/": "localhost is this computer",
    "http://preview.localhost/": "preview.localhost is this computer",
    "http://127.0.0.1:8080/": "127.0.0.1 is this computer",
    "http://[::1]/": "::1 is this computer",
    "http://0.0.0.0:8000/": "0.0.0.0 is this computer",
}


@pytest.mark.parametrize("url", EXAMPLE_ADDRESSES)
def test_an_example_base_url_is_a_warning_at_its_line(runner: CliRunner, write_site: WriteSite,
                                                      url: str) -> None:
    root = write_site({"content/posts/a.md": post(), "sitegen.yaml": f"title: T\nbase_url: {url}\n"})
    result = runner.invoke(cli, ["build", str(root)])
    assert result.exit_code == 0, result.output
    assert (f"sitegen.yaml:2:11: warning: base_url {url} is not a public address "
            f"({EXAMPLE_ADDRESSES[url]}); feeds, the sitemap and canonical links will point at it"
            ) in result.stderr, result.stderr
    assert "hint: set base_url in sitegen.yaml to the address the site is published at" in result.stderr
    assert runner.invoke(cli, ["build", str(root), "--strict"]).exit_code == 1


@pytest.mark.parametrize("url", ["https://user.github.io/blog/", "https://myexample.org/",
                                 "https://example.org.uk/", "https://testing.dev/",
                                 "http://192.168.1.20/", "https://notlocalhost.net/"])
def test_a_real_looking_base_url_is_not_warned_about(runner: CliRunner, write_site: WriteSite,
                                                     url: str) -> None:
    root = write_site({"content/posts/a.md": post(), "sitegen.yaml": f"base_url: {url}\n"})
    result = runner.invoke(cli, ["build", str(root)])
    assert result.exit_code == 0 and "base_url" not in result.stderr, result.output


def test_base_url_from_the_command_line_is_judged_too(runner: CliRunner, write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(), "sitegen.yaml": "base_url: https://example.org/\n"})
    result = runner.invoke(cli, ["build", str(root), "--base-url", "https://example.com/blog/"])
    assert "--base-url: warning: base_url https://example.com/blog/ is not a public address" in result.stderr
    assert "hint: pass the address the site is published at" in result.stderr
    assert "sitegen.yaml:" not in result.stderr  # the option overrides the file: one warning
    result = runner.invoke(cli, ["build", str(root)], env={"SITEGEN_BASE_URL": "https://user.github.io/"})
    assert result.exit_code == 0 and "base_url" not in result.stderr, result.output


def test_check_warns_about_base_url_and_takes_the_option(runner: CliRunner, write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post()})
    result = runner.invoke(cli, ["check", str(root)])
    assert result.exit_code == 1
    assert "sitegen.yaml: warning: base_url is not set" in result.stderr
    assert "1 problem found." in result.stderr
    (root / "sitegen.yaml").write_text("author: me\nbase_url: http://localhost:1313/\n")
    result = runner.invoke(cli, ["check", str(root)])
    assert "sitegen.yaml:2:11: warning: base_url http://localhost:1313/ is not a public address " \
           "(localhost is this computer)" in result.stderr
    result = runner.invoke(cli, ["check", str(root), "--base-url", "https://user.github.io/"])
    assert result.exit_code == 0, result.output
    assert "No broken links" in result.stdout


def test_a_rebuild_with_nothing_changed_still_points_at_base_url_where_it_now_is(
        runner: CliRunner, write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(), "sitegen.yaml": "base_url: https://example.org/\n"})
    for path in root.rglob("*"):  # long unchanged: the next build may trust their times
        os.utime(path, (1_500_000_000, 1_500_000_000))
    assert "sitegen.yaml:1:11: warning" in runner.invoke(cli, ["build", str(root)]).stderr
    (root / "sitegen.yaml").write_text("# the same settings, one line lower\nbase_url: https://example.org/\n")
    result = runner.invoke(cli, ["build", str(root)])
    assert "sitegen.yaml:2:11: warning" in result.stderr and "sitegen.yaml:1:11" not in result.stderr
    assert result.stdout.rstrip().endswith("no file changed")


def _serve_output(root: Path, port: str) -> str:
    """Everything serve prints to stderr over its first build and one rebuild."""
    process, _, lines = start_serve(root, "--port", port)
    assert process.stdout is not None
    printed: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [printed.put(line) for line in process.stdout or ()])
    reader.start()
    try:
        assert any("] Built " in line for line in lines), lines
        for attempt in range(50):  # the watcher starts just after "Serving": an early edit may go unseen
            (root / "content/posts/a.md").write_text(post(body=f"Edited {attempt} times."))
            try:
                while "] Built " not in printed.get(timeout=0.5):
                    pass
                break
            except queue.Empty:
                continue
        else:
            raise AssertionError("serve did not rebuild after an edit")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        reader.join(10)
        assert process.stderr is not None
        err = process.stderr.read()
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == 0, err
    return err


@pytest.mark.parametrize("config", ["", "base_url: https://example.org/\n", "base_url: https://user.github.io/\n"])
@pytest.mark.parametrize("port", ["0", "8000"])  # 8000: the default, whose address was once taken for unset
def test_serve_never_warns_about_base_url(write_site: WriteSite, config: str, port: str) -> None:
    """The preview's base_url is its own address, whatever sitegen.yaml says."""
    root = write_site({"content/posts/a.md": post(), "sitegen.yaml": config or "title: T\n"})
    err = _serve_output(root, port)
    assert "base_url" not in err and "warning" not in err, err


# --- an invalid sitegen.yaml or tags.yaml: every command says where, the same way, exit 1 -------

BAD_CONFIGS = {
    "unknown-key": ("sitegen.yaml", "titel: x\n", "sitegen.yaml:1:1: error: unknown key 'titel'"),
    "wrong-type": ("sitegen.yaml", "posts_per_page: many\n",
                   "sitegen.yaml:1:17: error: posts_per_page must be a whole number above 0"),
    "broken-yaml": ("sitegen.yaml", "title: [unclosed\n",
                    "sitegen.yaml:1:8: error: invalid YAML: the list opened with [ is never closed"),
    "bad-tags-yaml": ("tags.yaml", "python: 5\n", "tags.yaml:1:9: error: 'python' must map to slug:"),
}
COMMANDS = {
    "build": ["build", "{site}"],
    "check": ["check", "{site}"],
    "tags": ["tags", "{site}"],
    "tags-rename": ["tags", "rename", "x", "y", "--site", "{site}"],
    "tags-merge": ["tags", "merge", "x", "y", "--site", "{site}"],
    "new": ["new", "Another post", "--site", "{site}"],
    "deploy": ["deploy", "gh-pages", "{site}", "--no-push"],
}


@pytest.mark.parametrize("bad", BAD_CONFIGS)
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_reports_an_invalid_config_at_its_line(runner: CliRunner, write_site: WriteSite,
                                                             command: str, bad: str) -> None:
    name, text, expected = BAD_CONFIGS[bad]
    root = write_site({"content/posts/a.md": post(tags="[x]"), name: text})
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    args = [arg.format(site=root) for arg in COMMANDS[command]]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert expected in result.stderr, result.stderr
    outcome = "no site was written" if command == "build" else "nothing was changed"  # no earlier build
    assert result.stderr.rstrip().endswith(f"1 error in the configuration; {outcome}.")
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("bad", ["unknown-key", "broken-yaml"])
def test_serve_reports_an_invalid_config_and_exits_1(write_site: WriteSite, bad: str) -> None:
    name, text, expected = BAD_CONFIGS[bad]
    root = write_site({"content/posts/a.md": post(), name: text})
    try:
        result = subprocess.run([sys.executable, "-m", "sitegen", "serve", str(root), "--port", "0"],
                                capture_output=True, text=True, check=False, timeout=60)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"serve kept running on an invalid {name}") from exc
    assert result.returncode == 1, result.stderr
    assert expected in result.stderr
    assert "1 error in the configuration; nothing was changed." in result.stderr
    assert "Traceback" not in result.stderr and "Serving" not in result.stdout


def test_a_new_site_keeps_its_cache_out_of_git_and_its_first_post_is_not_written_twice(
        runner: CliRunner, tmp_path: Path) -> None:
    site = tmp_path / "blog"
    assert runner.invoke(cli, ["init", str(site)]).exit_code == 0
    assert ".sitegen-cache/" in (site / ".gitignore").read_text().split()
    again = runner.invoke(cli, ["new", "Hello, world", "--site", str(site)])
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert runner.invoke(cli, ["build", str(site)]).exit_code == 0


def test_an_unknown_key_holding_a_mapping_is_located_at_the_key(runner: CliRunner,
                                                                write_site: WriteSite) -> None:
    # an old generator's permalink settings: the value starts on the line after the key
    root = write_site({"content/posts/a.md": post(),
                       "sitegen.yaml": "title: Moved\npermalink_style:\n  post: /:year/:title/\n"})
    result = runner.invoke(cli, ["build", str(root)])
    assert result.exit_code == 1
    assert "sitegen.yaml:2:1: error: unknown key 'permalink_style'" in result.stderr


def test_problems_are_printed_as_they_format_themselves(monkeypatch: pytest.MonkeyPatch) -> None:
    """One way to write a problem: the terminal shows SourceError.format's text, coloured, and
    markup-like text in a message stays text."""
    from rich.console import Console

    from sitegen import console as console_module
    from sitegen.errors import ContentError

    screen = io.StringIO()
    terminal = Console(file=screen, width=200, force_terminal=True, color_system="standard")
    monkeypatch.setattr(console_module, "stderr", lambda: terminal)
    error = ContentError("content/posts/[a].md", "tag '[bold]x[/]' is odd", line=3, col=7, hint="rename [it]")
    warning = ContentError("sitegen.yaml", "base_url is not set", hint="set it")
    console_module.print_problems([error], [warning])
    shown = screen.getvalue()
    plain = re.sub(r"\x1b\[[0-9;]*m", "", shown)
    assert plain == warning.format("warning") + "\n" + error.format() + "\n"
    assert "\x1b[1;33mwarning\x1b[0m" in shown and "\x1b[1;31merror\x1b[0m" in shown


def test_a_hugo_blog_with_page_bundles_and_its_own_dates_builds_and_checks(runner: CliRunner,
                                                                           write_site: WriteSite) -> None:
    root = write_site({
        "sitegen.yaml": "base_url: https://e.org/\n",
        "content/posts/trip/index.md": post("Trip", date='"Fri Nov 24 2023 11:49:41 GMT+0000 (UTC)"',
                                            body="![A cat](cat.svg) and [the data](data.md)."),
        "content/posts/trip/cat.svg": "<svg/>",
        "content/posts/trip/data.md": "| a | b |\n",
        "content/posts/trip/index.es.md": post("Viaje"),
        "content/posts/2014-03-05-launch.md": post("Launch", date="someday"),
    })
    result = runner.invoke(cli, ["build", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Built 15 pages (2 posts, 0 tags) and 3 static files in ")
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert warnings == [
        "content/posts/2014-03-05-launch.md:3:7: warning: date 'someday' is not a date; the file name's "
        "2014-03-05 is used",
        "content/posts/trip/index.es.md: warning: is not built either: sitegen builds a site in one "
        "language, and this site's is 'en'",
        "content/posts/trip/index.md:3:7: warning: date 'Fri Nov 24 2023 11:49:41 GMT+0000 (UTC)' is not "
        "an ISO 8601 date; read as 2023-11-24T11:49:41+00:00"]
    assert (root / "public/posts/trip/cat.svg").is_file() and (root / "public/posts/trip/data.md").is_file()
    assert (root / "public/posts/launch/index.html").is_file()
    checked = runner.invoke(cli, ["check", str(root)])
    assert "broken link" not in checked.output and "data.md" not in checked.output, checked.output


def test_a_file_whose_name_is_not_utf8_is_left_out_with_a_warning(runner: CliRunner,
                                                                   write_site: WriteSite) -> None:
    """A post, a bundle's resource, a folder, a static file and a template named in another
    encoding cannot be named in a page or in the build cache: each is left out, with a warning
    (a template's name cannot be written in another template: it is never used), build after
    build."""
    root = write_site({"content/posts/a.md": post("Alpha"), "content/posts/b/index.md": post("Bravo"),
                       "sitegen.yaml": "base_url: https://e.org/\n", "static/ok.txt": "ok",
                       "templates/ok.html": "ok"})
    for name in (b"content/posts/caf\xe9.md", b"content/posts/b/\xffcat.svg",
                 b"content/posts/\xe9t\xe9/c.md", b"static/caf\xe9.txt", b"templates/\xe9.html"):
        os.makedirs(os.path.dirname(os.path.join(os.fsencode(root), name)), exist_ok=True)
        with open(os.path.join(os.fsencode(root), name), "wb") as file:
            file.write(post("Odd").encode())
    for _ in range(2):
        result = runner.invoke(cli, ["build", str(root)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        left_out = sorted(line.split(": warning: ")[0] for line in result.stderr.splitlines()
                          if "is left out: its name is not UTF-8" in line)
        assert left_out == [r"content/posts/\xe9t\xe9", r"content/posts/b/\xffcat.svg",
                            r"content/posts/caf\xe9.md", r"static/caf\xe9.txt"]
        assert result.stdout.startswith("Built ") and "(2 posts, " in result.stdout
    assert sorted(p.name for p in (root / "public/posts").iterdir()) == ["a", "b"]


def test_a_static_file_whose_name_is_not_utf8_is_warned_about_while_it_is_there(
        runner: CliRunner, write_site: WriteSite) -> None:
    """Adding or removing such a file is a change: the warning comes and goes with it. A site in
    a folder whose own name is not UTF-8 builds all its posts, and keeps its cache."""
    root = write_site({"content/posts/a.md": post("Alpha"), "static/ok.txt": "ok",
                       "sitegen.yaml": "base_url: https://e.org/\n"})
    odd = os.path.join(os.fsencode(root), b"static/caf\xe9.txt")

    def warned() -> bool:
        result = runner.invoke(cli, ["build", str(root)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return "is left out: its name is not UTF-8" in result.stderr

    assert not warned()
    with open(odd, "wb") as file:
        file.write(b"x")
    assert warned() and warned()
    os.remove(odd)
    assert not warned()
    moved = os.path.join(os.path.dirname(os.fsencode(root)), b"r\xe9")
    os.rename(os.fsencode(root), moved)
    for _ in range(2):
        result = runner.invoke(cli, ["build", os.fsdecode(moved)], catch_exceptions=False)
        assert result.exit_code == 0 and "(1 post, " in result.stdout, result.output
    assert result.stdout.rstrip().endswith("no file changed")
