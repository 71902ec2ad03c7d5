"""Tags beyond the basics: registry, aliases and old slugs, thin tags, hierarchy, related posts,
and renaming or merging tags in the sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.builder import build
from sitegen.cli import cli
from sitegen.errors import BuildError
from sitegen.retag import register_alias, retag_post
from tests.conftest import WriteSite, config_for, post

TAGGED = {
    "content/posts/a.md": post("A", date="2025-01-01", tags="[paradigm shift in AI, AI, rare]"),
    "content/posts/b.md": post("B", date="2025-02-01", tags="[AI paradigm shift, AI]"),
    "content/posts/c.md": post("C", date="2025-03-01", tags="[AI]"),
}


def built(write_site: WriteSite, files: dict[str, str], **overrides: object) -> Path:
    root = write_site(files)
    build(config_for(root, **overrides))
    return root / "public"


def test_registry_description_aliases_and_old_slugs(write_site: WriteSite) -> None:
    out = built(write_site, {**TAGGED, "tags.yaml": """
        paradigm shift in AI:
          description: When the *rules* change.
          aliases: [AI paradigm shift]
          old_slugs: [ai-shift]
        """})
    page = (out / "tags/paradigm-shift-in-ai/index.html").read_text()
    assert "Posts tagged paradigm shift in AI" in page and "<em>rules</em>" in page
    assert page.count('class="excerpt"') == 2  # the alias spelling joined the tag
    feed = (out / "tags/paradigm-shift-in-ai/feed.xml").read_text()
    assert "&lt;em&gt;rules&lt;/em&gt;" in feed
    for old in ("ai-paradigm-shift", "ai-shift"):
        redirect = (out / f"tags/{old}/index.html").read_text()
        assert 'http-equiv="refresh" content="0; url=/tags/paradigm-shift-in-ai/"' in redirect
        assert '<link rel="canonical" href="http://localhost:8000/tags/paradigm-shift-in-ai/">' in redirect
        # Feed readers do not follow HTML redirects: the old feed URL serves the same feed.
        assert (out / f"tags/{old}/feed.xml").read_text() == feed
    redirects = (out / "_redirects").read_text().splitlines()
    assert "/tags/ai-shift/ /tags/paradigm-shift-in-ai/ 301" in redirects
    assert "/tags/ai-shift/feed.xml /tags/paradigm-shift-in-ai/feed.xml 301" in redirects
    assert "/tags/ai-shift/page/* /tags/paradigm-shift-in-ai/page/:splat 301" in redirects
    assert "ai-shift" not in (out / "sitemap.xml").read_text()


def test_registry_problems_are_located(write_site: WriteSite) -> None:
    root = write_site({**TAGGED, "tags.yaml": """
        AI:
          slug: artificial-intelligence
        rare:
          descripton: typo
        unused tag:
          description: nobody uses me
        """})
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    assert [(e.path, e.line) for e in caught.value.errors] == [("tags.yaml", 3)]
    assert "did you mean 'description'" in (caught.value.errors[0].hint or "")


def test_unused_registry_entry_is_a_warning(write_site: WriteSite) -> None:
    root = write_site({**TAGGED, "tags.yaml": "unused tag:\n  description: x\n"})
    report = build(config_for(root))
    assert any(w.path == "tags.yaml" and w.line == 1 for w in report.warnings)


def test_an_alias_redirect_that_hits_a_real_page_is_an_error(write_site: WriteSite) -> None:
    root = write_site({**TAGGED, "tags.yaml": "AI:\n  old_slugs: [rare]\n"})
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    message = str(caught.value)
    assert "tags/rare/index.html" in message and "tag 'rare'" in message and "old slug 'rare'" in message


def test_post_aliases_are_in_the_redirects_file(write_site: WriteSite) -> None:
    out = built(write_site, {"content/posts/a.md": post(aliases="[/2019/old/]")},
                base_url="https://example.org/blog/")
    assert (out / "_redirects").read_text() == "/blog/2019/old/ /blog/posts/a/ 301\n"


def test_thin_tags_have_no_page_and_are_plain_text(write_site: WriteSite) -> None:
    out = built(write_site, {**TAGGED, "sitegen.yaml": "tags: {min_posts: 2}\n"})
    assert not (out / "tags/rare").exists()
    assert (out / "tags/ai/index.html").exists()
    post_page = (out / "posts/a/index.html").read_text()
    assert "<span>rare</span>" in post_page and 'href="/tags/rare/"' not in post_page
    assert 'href="/tags/ai/"' in post_page
    index = (out / "tags/index.html").read_text()
    assert "rare" in index and 'href="/tags/rare/"' not in index
    assert "/tags/rare/" not in (out / "sitemap.xml").read_text()


def test_noindex_tag_pages(write_site: WriteSite) -> None:
    out = built(write_site, {**TAGGED, "sitegen.yaml": "tags: {noindex: true}\n"})
    assert '<meta name="robots" content="noindex, follow">' in (out / "tags/ai/index.html").read_text()
    assert "/tags/ai/" not in (out / "sitemap.xml").read_text()
    assert "noindex" not in (out / "posts/a/index.html").read_text()


def test_unknown_tags_setting_is_an_error(write_site: WriteSite) -> None:
    root = write_site({**TAGGED, "sitegen.yaml": "tags: {min_post: 2}\n"})
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    assert "did you mean 'min_posts'" in (caught.value.errors[0].hint or "")


HIERARCHY = {
    "content/posts/a.md": post("A", date="2025-01-01", tags="[ai/llm]"),
    "content/posts/b.md": post("B", date="2025-02-01", tags="[AI/Vision]"),
    "content/posts/c.md": post("C", date="2025-03-01", tags="[ai]"),
    "content/posts/d.md": post("D", date="2025-04-01", tags="[TCP/IP]"),
}


def test_hierarchical_tags(write_site: WriteSite) -> None:
    out = built(write_site, {**HIERARCHY, "sitegen.yaml": "tags: {hierarchy: true}\n"})
    child = (out / "tags/ai/llm/index.html").read_text()
    assert "Posts tagged ai/llm" in child
    assert '<nav class="breadcrumbs"' in child and 'href="/tags/ai/"' in child
    parent = (out / "tags/ai/index.html").read_text()
    assert parent.count('class="excerpt"') == 3  # its own post and its children's
    assert 'href="/tags/ai/vision/"' in parent  # narrower tags
    index = (out / "tags/index.html").read_text()
    top, nested = index.index('href="/tags/ai/"'), index.index('href="/tags/ai/llm/"')
    assert top < nested and "<ul>" in index[top:nested]
    assert (out / "tags/tcp/ip/index.html").exists()


def test_without_hierarchy_a_slash_is_an_ordinary_character(write_site: WriteSite) -> None:
    out = built(write_site, HIERARCHY)
    assert (out / "tags/tcp-ip/index.html").exists() and (out / "tags/ai-llm/index.html").exists()
    assert not (out / "tags/ai/llm").exists()
    assert "Posts tagged TCP/IP" in (out / "tags/tcp-ip/index.html").read_text()


def test_related_posts_prefer_rare_shared_tags(write_site: WriteSite) -> None:
    out = built(write_site, {
        "content/posts/a.md": post("A", date="2025-01-01", tags="[common, niche]"),
        "content/posts/b.md": post("B", date="2025-01-02", tags="[common]"),
        "content/posts/c.md": post("C", date="2025-01-03", tags="[common]"),
        "content/posts/d.md": post("D", date="2025-01-04", tags="[niche]"),
        "content/posts/e.md": post("E", date="2025-01-05", tags="[other]"),
        "sitegen.yaml": "tags: {related: 2}\n",
    })
    section = (out / "posts/a/index.html").read_text().split('class="related"')[1].split("</section>")[0]
    assert section.index("/posts/d/") < section.index("/posts/c/")  # niche beats common
    assert "/posts/b/" not in section and "/posts/e/" not in section  # limit 2; nothing shared


def test_rename_changes_only_the_tag(write_site: WriteSite, runner: CliRunner) -> None:
    original = ("---\r\ntitle: 'Keep: me'   # a comment\r\ntags: [Python, 'paradigm shift in AI', "
                "web]\r\ndate: 2025-01-01\r\n---\r\nBody mentions paradigm shift in AI.\r\n")
    root = write_site({"content/posts/b.md": post("B", tags="[paradigm shift in AI]")})
    (root / "content/posts/a.md").write_bytes(original.encode())
    build(config_for(root))
    old_urls = [p.relative_to(root / "public") for p in (root / "public/tags").rglob("*") if p.is_file()]
    result = runner.invoke(cli, ["tags", "rename", "paradigm shift in AI", "AI shift", "-s", str(root)])
    assert result.exit_code == 0, result.output
    changed = (root / "content/posts/a.md").read_bytes().decode()
    assert changed == original.replace("'paradigm shift in AI'", "AI shift")
    assert "aliases: [paradigm shift in AI]" in (root / "tags.yaml").read_text()
    again = runner.invoke(cli, ["tags", "rename", "paradigm shift in AI", "AI shift", "-s", str(root)])
    assert again.exit_code == 0 and "nothing to change" in again.output
    assert (root / "content/posts/a.md").read_bytes().decode() == changed
    build(config_for(root))
    for old in old_urls:  # every tag URL of the previous build still resolves
        assert (root / "public" / old).is_file(), old
    assert "url=/tags/ai-shift/" in (root / "public/tags/paradigm-shift-in-ai/index.html").read_text()


def test_merge_drops_the_duplicate_and_dry_run_writes_nothing(write_site: WriteSite,
                                                              runner: CliRunner) -> None:
    root = write_site({"content/posts/a.md": post(tags="[LLMs, LLM, web]"),
                       "content/posts/b.md": post("B", tags="\n  - LLMs\n  - other")})
    before = (root / "content/posts/a.md").read_text()
    dry = runner.invoke(cli, ["tags", "merge", "LLMs", "LLM", "--dry-run", "-s", str(root)])
    assert dry.exit_code == 0
    assert "-tags: [LLMs, LLM, web]" in dry.output and "+tags: [LLM, web]" in dry.output
    assert (root / "content/posts/a.md").read_text() == before and not (root / "tags.yaml").exists()
    result = runner.invoke(cli, ["tags", "merge", "LLMs", "LLM", "-s", str(root)])
    assert result.exit_code == 0, result.output
    assert "tags: [LLM, web]" in (root / "content/posts/a.md").read_text()
    assert "  - LLM\n  - other" in (root / "content/posts/b.md").read_text()


def test_respelling_a_tag_needs_no_alias() -> None:
    text = "---\ntitle: x\ntags: [git, Git, web]\n---\n"
    assert retag_post(text, "git", "Git") == "---\ntitle: x\ntags: [Git, Git, web]\n---\n"


@pytest.mark.parametrize(("registry", "expected"), [
    ("", "AI:\n  aliases: [ml]\n"),
    ("AI:\n  description: x\n", "AI:\n  aliases: [ml]\n  description: x\n"),
    ("AI:\n  aliases: [a]  # keep\n", "AI:\n  aliases: [a, ml]  # keep\n"),
    ("AI:\n  aliases:\n    - a\nB: {slug: b}\n", "AI:\n  aliases:\n    - a\n    - ml\nB: {slug: b}\n"),
    ("B: {slug: b}\nAI: {slug: x}\n", "B: {slug: b}\nAI: {slug: x, aliases: [ml]}\n"),
    ("ml:\n  slug: m\n", "AI:\n  aliases: [ml]\n  slug: m\n"),
    ("AI:\n  aliases: [ML]\n", "AI:\n  aliases: [ML]\n"),
])
def test_register_alias_keeps_the_rest_of_tags_yaml(registry: str, expected: str) -> None:
    assert register_alias(registry, "ml", "AI", rename=True) == expected


def test_an_alias_with_a_slash_redirects_from_its_whole_slug(write_site: WriteSite) -> None:
    """Without hierarchy a slash is an ordinary character: the URL 'ai/llm' had was /tags/ai-llm/."""
    out = built(write_site, {"content/posts/a.md": post("A", tags="[LLM]"),
                             "tags.yaml": "LLM:\n  aliases: [ai/llm]\n"})
    assert "url=/tags/llm/" in (out / "tags/ai-llm/index.html").read_text()
    assert (out / "tags/ai-llm/feed.xml").read_text() == (out / "tags/llm/feed.xml").read_text()
