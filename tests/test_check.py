from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from click.testing import CliRunner

from sitegen.builder import check
from sitegen.cli import cli
from tests.conftest import REPO, WriteSite, config_for, post

BROKEN_SITE = {
    "content/posts/target.md": post("Target", body="## Real part\n\nText.\n"),
    "content/posts/links.md": post("Links", body="""\
Good: [t](target.md), [anchor](target.md#real-part), [url](/posts/target/#real-part),
[self](#own), [img](/img/ok.png), [tags](/tags/), [feed](/feed.xml).

## Own

Bad: [missing post](nothing.md)
[bad anchor](target.md#no-such-part)
[bad url](/posts/ghost/)
![missing image](/img/missing.png)
[bad self anchor](#nowhere)
[rel](../pages/about.md) and <a href="/nope.html">raw</a>
```
[in code](ignored.md)
```
"""),
    "static/img/ok.png": "png",
}


def test_check_finds_every_broken_link_with_its_line(write_site: WriteSite) -> None:
    root = write_site(BROKEN_SITE)
    errors, warnings = check(config_for(root, base_url="https://example.org/blog/"))
    found = [(e.path, e.line, e.message.split(" (")[0]) for e in errors]
    source = "content/posts/links.md"
    assert found == [
        (source, 11, "broken link: nothing.md is not a published post or page"),
        (source, 12, "broken link: target.md#no-such-part"),
        (source, 13, "broken link: /posts/ghost/"),
        (source, 14, "broken link: /img/missing.png"),
        (source, 15, "broken link: #nowhere"),
        (source, 16, "broken link: ../pages/about.md is not a published post or page"),
        (source, 16, "broken link: /nope.html"),
    ]
    assert not [w for w in warnings if "nothing.md" in w.message]  # reported once, as an error
    assert not (root / "public").exists()


def test_check_command_exits_1_on_a_broken_site(runner: CliRunner, write_site: WriteSite) -> None:
    root = write_site(BROKEN_SITE)
    result = runner.invoke(cli, ["check", str(root)])
    assert result.exit_code == 1
    assert "content/posts/links.md:12: error: broken link: target.md#no-such-part" in result.stderr
    assert "problems found." in result.stderr
    assert not (root / "public").exists()


def test_check_reports_front_matter_problems(runner: CliRunner, write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(tags="5"), "content/posts/b.md": post(titel="x")})
    result = runner.invoke(cli, ["check", str(root)])
    assert result.exit_code == 1
    assert "content/posts/a.md:4:7: error: tags must be a list" in result.stderr


def test_check_passes_on_the_demo_site(runner: CliRunner) -> None:
    # given the address it would be published at: its sitegen.yaml has an example one
    result = runner.invoke(cli, ["check", str(REPO), "--base-url", "https://field-notes.github.io/"])
    assert result.exit_code == 0, result.output
    assert "No broken links" in result.stdout


def test_external_links_are_tried_only_on_request(write_site: WriteSite) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/ok" else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        root = write_site({"content/posts/a.md": post(body=f"[ok]({base}/ok)\n\n[gone]({base}/gone)\n")})
        assert check(config_for(root))[0] == []
        errors, _ = check(config_for(root), external=True)
        assert [(e.line, e.message) for e in errors] == [(8, f"external link {base}/gone failed: HTTP 404")]
    finally:
        server.shutdown()
        server.server_close()
