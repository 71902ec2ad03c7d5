from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from sitegen.builder import build
from sitegen.errors import BuildError, OutputError
from sitegen.output import MARKER
from tests.conftest import REPO, WriteSite, config_for, post


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_writes_the_site_and_a_marker(write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(tags="[paradigm shift in AI]"),
                       "static/img/logo.svg": "<svg/>"})
    report = build(config_for(root))
    out = root / "public"
    assert (out / MARKER).is_file()
    assert "Posts tagged paradigm shift in AI" in (out / "tags/paradigm-shift-in-ai/index.html").read_text()
    assert (out / "img/logo.svg").read_text() == "<svg/>"
    assert (out / "css/style.css").is_file()
    assert (report.posts, report.tags, report.static_files) == (1, 1, 2)
    assert report.pages == len([p for p in out.rglob("*") if p.is_file()]) - 3


def test_static_files_override_theme_assets(write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(), "static/css/style.css": "body{}"})
    build(config_for(root))
    assert (root / "public/css/style.css").read_text() == "body{}"


def test_static_file_clashing_with_a_page_is_an_error(write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(), "static/feed.xml": "<x/>"})
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    assert caught.value.errors[0].path == "static/feed.xml"


def test_errors_leave_the_previous_output_untouched(write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post()})
    build(config_for(root))
    before = digest(root / "public")
    (root / "content/posts/b.md").write_text(post(tags="5"))
    (root / "content/posts/c.md").write_text("---\ntitle: x\n")
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    assert [(e.path, e.line) for e in caught.value.errors] == [
        ("content/posts/b.md", 4), ("content/posts/c.md", 1)]
    assert digest(root / "public") == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".public.")] == [".public.lock"]


def test_template_error_keeps_old_output_and_is_reported_once(write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(), "content/posts/b.md": post("B")})
    build(config_for(root))
    before = digest(root / "public")
    (root / "templates").mkdir()
    (root / "templates/post.html").write_text("{{ nope }}")
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    assert len(caught.value.errors) == 1
    assert digest(root / "public") == before


def test_stale_pages_disappear_on_rebuild(write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(), "content/posts/b.md": post("B")})
    build(config_for(root))
    (root / "content/posts/b.md").unlink()
    build(config_for(root))
    assert not (root / "public/posts/b").exists()


@pytest.mark.parametrize("where", [".", "..", "content", "content/out", "static/x", "templates"])
def test_dangerous_output_folders_are_refused(write_site: WriteSite, where: str) -> None:
    root = write_site({"content/posts/a.md": post(), "static/keep.txt": "x", "templates/keep.html": "x"})
    before = digest(root)
    with pytest.raises(OutputError):
        build(config_for(root, output_dir=root / where))
    assert digest(root) == before


def test_a_folder_sitegen_did_not_write_is_refused(write_site: WriteSite, tmp_path: Path) -> None:
    root = write_site({"content/posts/a.md": post()})
    foreign = tmp_path / "precious"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("years of work")
    with pytest.raises(OutputError, match="did not write"):
        build(config_for(root, output_dir=foreign))
    assert (foreign / "thesis.docx").read_text() == "years of work"
    empty = tmp_path / "empty"
    empty.mkdir()
    build(config_for(root, output_dir=empty))
    assert (empty / "index.html").is_file()


def test_collisions_fail_before_writing(write_site: WriteSite) -> None:
    root = write_site({"content/posts/x.md": post(), "content/posts/2024/x.md": post("Other")})
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    message = caught.value.errors[0].message
    assert "content/posts/2024/x.md" in message and "content/posts/x.md" in message
    assert not (root / "public").exists()


def test_strict_turns_warnings_into_errors(write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(tag="x")})
    report = build(config_for(root))
    assert len(report.warnings) == 2  # the typo and the unset base_url
    with pytest.raises(BuildError) as caught:
        build(config_for(root), strict=True)
    assert any("did you mean 'tags'" in (e.hint or "") for e in caught.value.errors)


def test_the_same_input_gives_identical_bytes(tmp_path: Path) -> None:
    config = config_for(REPO)
    build(replace(config, output_dir=tmp_path / "one"))
    build(replace(config, output_dir=tmp_path / "two"))
    assert digest(tmp_path / "one") == digest(tmp_path / "two")


def test_demo_site_has_the_seed_tag_page(tmp_path: Path) -> None:
    build(replace(config_for(REPO), output_dir=tmp_path / "out"))
    html = (tmp_path / "out/tags/paradigm-shift-in-ai/index.html").read_text()
    assert "Posts tagged paradigm shift in AI" in html
    assert "/posts/open-weights-reasoning-shakeup/" in html
    draft = "half-finished-thoughts-on-rust"  # the demo's draft: in no page, feed or sitemap
    assert (REPO / f"content/posts/{draft}.md").is_file()
    assert not any(draft in p.read_text() for p in (tmp_path / "out").rglob("*.*") if p.suffix != ".css")


def test_built_pages_have_no_javascript(tmp_path: Path) -> None:
    # The preview's reload script is added by the server while serving, never written; JSON-LD
    # is data no browser runs.
    build(replace(config_for(REPO), output_dir=tmp_path / "out"))
    for page in (tmp_path / "out").rglob("*.html"):
        text = page.read_text()
        assert text.count("<script") == text.count('<script type="application/ld+json">'), page


# --- page bundles --------------------------------------------------------------------------------

BASE = {"sitegen.yaml": "base_url: https://user.github.io/\n"}
BUNDLE = {
    **BASE,
    "content/posts/trip/index.md": post("Trip", body="![A cat](cat.svg)\n\nThe [data](data/notes.md)."),
    "content/posts/trip/cat.svg": "<svg/>",
    "content/posts/trip/notes.md": "Shown in the post, not a post: it has no front matter.\n",
    "content/posts/trip/data/notes.md": "# Data\n",
    "content/posts/trip/.hidden": "left out",
    "content/posts/_index.md": "---\ntitle: Posts\n---\nA Hugo section page.\n",
    "content/pages/about/index.md": "---\ntitle: About\n---\n![Me](me.svg)\n",
    "content/pages/about/me.svg": "<svg>me</svg>",
}


def test_a_page_bundle_is_one_post_and_its_other_files_are_copied_beside_it(write_site: WriteSite) -> None:
    root = write_site(BUNDLE)
    report = build(config_for(root))
    out = root / "public"
    assert (report.posts, report.warnings) == (1, ())
    assert '<img alt="A cat" src="cat.svg"' in (out / "posts/trip/index.html").read_text()
    assert (out / "posts/trip/cat.svg").read_text() == "<svg/>"
    assert (out / "posts/trip/notes.md").read_text().startswith("Shown in the post")
    assert (out / "posts/trip/data/notes.md").read_text() == "# Data\n"
    assert (out / "about/index.html").is_file() and (out / "about/me.svg").read_text() == "<svg>me</svg>"
    assert not (out / "posts/trip/.hidden").exists() and not (out / "posts/notes").exists()
    assert report.static_files == 1 + 4  # the theme's stylesheet, the bundles' four files


def test_a_draft_bundle_copies_nothing(write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(),
                       "content/posts/trip/index.md": post("Trip", draft="true"),
                       "content/posts/trip/cat.svg": "<svg/>"})
    build(config_for(root))
    assert not (root / "public/posts/trip").exists()


def test_translations_are_left_out_with_one_warning(write_site: WriteSite) -> None:
    root = write_site({**BASE, "content/posts/a/index.md": post("A"), "content/posts/a/index.es.md": "---\n",
                       "content/posts/a/index.fr.md": "no front matter", "content/posts/a/cat.svg": "<svg/>",
                       "content/posts/b/index.md": post("B"), "content/posts/b/index.pt-br.md": "x"})
    report = build(config_for(root))
    assert report.posts == 2
    [warning] = report.warnings
    assert warning.path == "content/posts/a/index.es.md"
    assert warning.message == ("is not built and 2 other translations of page bundles either: sitegen "
                               "builds a site in one language, and this site's is 'en'")
    assert (root / "public/posts/a/cat.svg").is_file()
    assert not (root / "public/posts/a/index.es.md").exists()


def test_the_sites_language_builds_its_translation(write_site: WriteSite) -> None:
    root = write_site({"sitegen.yaml": "base_url: https://user.github.io/\nlanguage: es-ES\n",
                       "content/posts/viaje/index.es.md": post("Viaje"),
                       "content/posts/viaje/index.fr.md": post("Voyage"),
                       "content/posts/viaje/gato.svg": "<svg/>"})
    report = build(config_for(root))
    assert report.posts == 1 and "Viaje" in (root / "public/posts/viaje/index.html").read_text()
    assert (root / "public/posts/viaje/gato.svg").is_file()
    assert [w.path for w in report.warnings] == ["content/posts/viaje/index.fr.md"]
    assert "is not built either" in report.warnings[0].message


def test_a_bundle_file_clashing_with_a_page_or_a_static_file_is_an_error(write_site: WriteSite) -> None:
    root = write_site({"content/posts/trip/index.md": post("Trip"),
                       "content/posts/trip/index.html": "<p>old export</p>",
                       "content/posts/trip/cat.svg": "<svg/>", "static/posts/trip/cat.svg": "<svg/>"})
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    said = sorted((e.path, e.message) for e in caught.value.errors)
    assert said == [
        ("content/posts/trip/cat.svg",
         "would overwrite posts/trip/cat.svg, copied from static/posts/trip/cat.svg"),
        ("content/posts/trip/index.html",
         "would overwrite posts/trip/index.html, which content/posts/trip/index.md makes")]
    assert not (root / "public").exists()


def test_a_bundle_file_linking_outside_the_site_is_refused(write_site: WriteSite, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    root = write_site({"content/posts/trip/index.md": post("Trip")})
    (root / "content/posts/trip/leak.txt").symlink_to(secret)
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    [error] = caught.value.errors
    assert error.path == "content/posts/trip/leak.txt" and "outside the site folder" in error.message
