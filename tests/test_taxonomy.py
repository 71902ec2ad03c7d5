"""Tags beyond the basics: registry, aliases and old slugs, thin tags, hierarchy, related posts,
and renaming or merging tags in the sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.builder import build
from sitegen.cli import cli
from sitegen.errors import BuildError
from sitegen.registryedit import register_alias
from sitegen.tagedit import retag_post
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
    assert [(e.path, e.line, e.col) for e in caught.value.errors] == [("tags.yaml", 4, 3)]
    assert "did you mean 'description'" in (caught.value.errors[0].hint or "")


def test_each_bad_field_of_a_tag_is_located_at_its_own_key(write_site: WriteSite) -> None:
    root = write_site({**TAGGED, "sitegen.yaml": "title: Blog\ntags:\n  min_posts: 1\n  hierachy: true\n",
                       "tags.yaml": """
        AI:
          description: fine
          slug: Not A Slug
          old_slugs: [ok, "Bad One"]
          aliasses: [A.I.]
        """})
    with pytest.raises(BuildError) as caught:
        config_for(root)
    found = {(e.path, e.line, e.col, e.message.split(" ")[0], e.hint) for e in caught.value.errors}
    assert found == {
        ("sitegen.yaml", 4, 3, "unknown", "did you mean 'hierarchy'?"),
        ("tags.yaml", 3, 3, "slug", "slug: not-a-slug"),
        ("tags.yaml", 4, 3, "old", "old_slugs: [bad-one]"),
        ("tags.yaml", 5, 3, "unknown", "did you mean 'aliases'?"),
    }


def test_a_tag_written_with_invisible_characters_is_the_same_tag(write_site: WriteSite) -> None:
    out = built(write_site, {
        "content/posts/a.md": post("A", date="2025-01-01", tags='["AI"]'),
        "content/posts/b.md": post("B", date="2025-02-01", tags='["A\\u200bI", "\\u00adAI\\u2060"]'),
        "content/posts/c.md": post("C", date="2025-03-01", tags='["\\ufeffA\\u200dI\\ufe0f"]'),
        "tags.yaml": '"A\\u200cI":\n  description: Machines that learn.\n',
    })
    assert sorted(p.name for p in (out / "tags").iterdir() if p.is_dir()) == ["ai"]
    page = (out / "tags/ai/index.html").read_text()
    assert page.count('class="excerpt"') == 3 and "Machines that learn." in page
    assert "Posts tagged AI<" in page and "\u200b" not in page and "\u00ad" not in page


def test_unused_registry_entry_is_a_warning(write_site: WriteSite) -> None:
    root = write_site({**TAGGED, "tags.yaml": "unused tag:\n  description: x\n"})
    report = build(config_for(root))
    assert [(w.line, w.message) for w in report.warnings if w.path == "tags.yaml"] == [
        (1, "tag 'unused tag' is described but no post uses it")]


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
    assert Path("tags/paradigm-shift-in-ai/index.html") in old_urls
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


def _paged(tags: str, count: int = 3) -> dict[str, str]:
    return {f"content/posts/p{i}.md": post(f"P{i}", date=f"2025-01-0{i + 1}", tags=tags)
            for i in range(count)}


def test_old_tag_urls_get_a_redirect_page_for_every_page(write_site: WriteSite) -> None:
    out = built(write_site, {**_paged("[AI]"), "sitegen.yaml": "posts_per_page: 1\n",
                             "tags.yaml": "AI:\n  aliases: [machine learning]\n  old_slugs: [ml]\n"})
    for old in ("machine-learning", "ml"):
        for number in (2, 3):  # hosts without _redirects (GitHub Pages, S3) need the files
            page = (out / f"tags/{old}/page/{number}/index.html").read_text()
            assert f'content="0; url=/tags/ai/page/{number}/"' in page
            assert (out / f"tags/ai/page/{number}/index.html").is_file()
        assert not (out / f"tags/{old}/page/4").exists()  # the tag has three pages
    redirects = (out / "_redirects").read_text().splitlines()
    assert "/tags/ml/page/* /tags/ai/page/:splat 301" in redirects
    assert not any("/page/2/" in line for line in redirects)  # the splat line covers them
    assert "/tags/ml/page/" not in (out / "sitemap.xml").read_text()


HIERARCHICAL = "tags: {hierarchy: true}\nposts_per_page: 1\n"


def test_a_tag_moved_under_a_parent_keeps_its_old_urls(write_site: WriteSite) -> None:
    root = write_site({**_paged("[user research, design]"), "sitegen.yaml": HIERARCHICAL})
    build(config_for(root))
    before = {p.relative_to(root / "public") for p in (root / "public/tags").rglob("*") if p.is_file()}
    assert Path("tags/user-research/page/3/index.html") in before
    for path in (root / "content/posts").iterdir():  # what `tags rename` writes
        path.write_text(path.read_text().replace("[user research,", "[design/user research,"))
    (root / "tags.yaml").write_text("design/user research:\n  aliases: [user research]\n")
    build(config_for(root))
    out = root / "public"
    for old in before:
        assert (out / old).is_file(), old
    assert 'url=/tags/design/user-research/page/2/"' in \
        (out / "tags/user-research/page/2/index.html").read_text()
    assert (out / "tags/user-research/feed.xml").read_text() == \
        (out / "tags/design/user-research/feed.xml").read_text()
    assert "/tags/user-research/ /tags/design/user-research/ 301" in (out / "_redirects").read_text()


def test_old_slugs_are_paths_after_tags(write_site: WriteSite) -> None:
    out = built(write_site, {**_paged("[design/user research]", 1), "sitegen.yaml": HIERARCHICAL,
                             "tags.yaml": "design/user research:\n"
                                          "  old_slugs: [user-research, design/ux-research]\n"})
    for old in ("user-research", "design/ux-research"):
        assert 'url=/tags/design/user-research/"' in (out / f"tags/{old}/index.html").read_text()
        assert (out / f"tags/{old}/feed.xml").is_file()


def test_an_alias_keeps_the_url_it_had_under_its_own_parent(write_site: WriteSite) -> None:
    out = built(write_site, {**_paged("[design/UX, research/interviews]", 1),
                             "sitegen.yaml": HIERARCHICAL,
                             "tags.yaml": "design/UX:\n  aliases: [research/user experience, UX]\n"})
    assert 'url=/tags/design/ux/"' in (out / "tags/research/user-experience/index.html").read_text()
    assert 'url=/tags/design/ux/"' in (out / "tags/ux/index.html").read_text()


def test_an_old_slug_on_a_tag_page_is_one_error_in_tags_yaml(write_site: WriteSite) -> None:
    root = write_site({**TAGGED, "sitegen.yaml": "posts_per_page: 1\n",
                       "tags.yaml": "rare:\n  description: x\nAI:\n  old_slugs: [rare]\n"})
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    [error] = caught.value.errors  # the page, the feed and the further pages: one collision
    assert (error.path, error.line) == ("tags.yaml", 3)
    assert "tags/rare/index.html" in error.message and "old slug 'rare'" in error.message
    assert "remove 'rare' from the old_slugs of 'AI'" in (error.hint or "")


def test_an_alias_whose_old_url_is_a_tag_page_hints_at_a_merge(write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post("A", tags="[golang]"),
                       "content/posts/b.md": post("B", tags="[go-lang]"),
                       "tags.yaml": "golang:\n  aliases: [Go Lang]\ngo-lang:\n  description: x\n"})
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    [error] = caught.value.errors
    assert (error.path, error.line) == ("tags.yaml", 1)
    assert "URL of an alias 'go-lang'" in error.message
    assert "merge it into 'golang' (sitegen tags merge 'go-lang' 'golang')" in (error.hint or "")


def test_spellings_with_one_slug_are_one_tag_and_a_warning_at_the_other_spellings_line(
        write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post("A", tags="\n  - Go Lang"),
                       "content/posts/b.md": post("B", tags="\n  - other\n  - go-lang")})
    report = build(config_for(root))
    [warning] = [w for w in report.warnings if w.path.startswith("content/")]
    assert (warning.path, warning.line) == ("content/posts/b.md", 6)
    assert "'Go Lang' is also written 'go-lang' (content/posts/b.md:6)" in warning.message
    assert (root / "public/tags/go-lang/index.html").read_text().count('class="excerpt"') == 2


def test_a_registry_entry_without_a_url_is_not_called_unused(write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post("A", tags="['!!!']"),
                       "content/posts/b.md": post("B", tags="[x]"),
                       "content/posts/c.md": post("C", tags="[drafted]", draft="true"),
                       "tags.yaml": "'!!!':\n  description: bangs\ndrafted:\n  description: soon\n"})
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    warnings = [w.message for w in caught.value.warnings]
    assert not any("no post uses it" in w for w in warnings), warnings  # a draft uses 'drafted'
    assert "tag '!!!' has no letters or digits to make a URL from" in warnings
    assert [e.path for e in caught.value.errors] == ["content/posts/a.md"]


def test_hierarchy_pages_show_each_tag_by_its_own_name(write_site: WriteSite) -> None:
    out = built(write_site, {
        "content/posts/a.md": post("A", tags="[design/user research/usability]"),
        "sitegen.yaml": "tags: {hierarchy: true}\n"})
    page = (out / "tags/design/user-research/usability/index.html").read_text()
    assert '<h1 class="page-title">Posts tagged usability</h1>' in page
    assert "<title>Posts tagged design/user research/usability – " in page  # tabs, search results
    crumbs = page.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert ">design</a>" in crumbs and ">user research</a>" in crumbs and ">usability</span>" in crumbs
    assert "design/user research" not in crumbs
    parent = (out / "tags/design/user-research/index.html").read_text()
    narrower = parent.split('class="subtags"')[1].split("</p>")[0]
    assert 'title="design/user research/usability">usability</a>' in narrower
    index = (out / "tags/index.html").read_text()
    assert '<a href="/tags/design/user-research/" title="design/user research">user research</a>' in index
    assert ">design/user research" not in index


def test_an_alias_with_a_slash_redirects_from_its_whole_slug(write_site: WriteSite) -> None:
    """Without hierarchy a slash is an ordinary character: the URL 'ai/llm' had was /tags/ai-llm/."""
    out = built(write_site, {"content/posts/a.md": post("A", tags="[LLM]"),
                             "tags.yaml": "LLM:\n  aliases: [ai/llm]\n"})
    assert "url=/tags/llm/" in (out / "tags/ai-llm/index.html").read_text()
    assert (out / "tags/ai-llm/feed.xml").read_text() == (out / "tags/llm/feed.xml").read_text()


def test_two_spellings_of_a_parent_that_no_post_names_are_one_parent(write_site: WriteSite) -> None:
    out = built(write_site, {"sitegen.yaml": "tags: {hierarchy: true}\n",
                             "content/posts/a.md": post("A", date="2025-01-01", tags="[a b/x]"),
                             "content/posts/b.md": post("B", date="2025-01-02", tags="[a-b/y]")})
    parent = (out / "tags/a-b/index.html").read_text()
    assert parent.count('class="excerpt"') == 2 and "Posts tagged a b<" in parent
    assert (out / "tags/a-b/x/index.html").is_file() and (out / "tags/a-b/y/index.html").is_file()


def test_two_parents_that_share_a_url_by_tags_yaml_are_one_error_not_a_crash(write_site: WriteSite) -> None:
    root = write_site({"sitegen.yaml": "tags: {hierarchy: true}\n", "tags.yaml": "ops:\n  slug: a-b\n",
                       "content/posts/a.md": post("A", date="2025-01-01", tags="[ops/x]"),
                       "content/posts/b.md": post("B", date="2025-01-02", tags="[a-b/x]")})
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    [error] = caught.value.errors  # the parents' clash; the children's follows from it
    assert (error.path, error.line) == ("tags.yaml", 1) and "would share the URL /tags/a-b/" in error.message
