from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import pytest

from sitegen.errors import TemplateError
from sitegen.models import Page
from sitegen.pages import plan_pages
from sitegen.renderer import format_date, make_environment, render_page
from sitegen.site import collect_site
from tests.conftest import WriteSite, config_for
from tests.test_site import make


def site_and_pages(root: Path, *posts):  # type: ignore[no-untyped-def]
    cfg = config_for(root)
    site, errors, _ = collect_site(cfg, list(posts))
    assert errors == []
    return cfg, site, {str(p.path): p for p in plan_pages(site)}


def test_front_matter_is_escaped_in_html(write_site: WriteSite) -> None:
    cfg, site, pages = site_and_pages(write_site({}), make("x", title="'<script>alert(1)</script>'",
                                                          tags="['<b>bold</b>']"))
    html = render_page(make_environment(cfg), pages["posts/x/index.html"], site).decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<b>bold</b>" not in html


def test_site_templates_override_and_extend_the_theme(write_site: WriteSite) -> None:
    root = write_site({"templates/base.html": """
        {% extends "theme/base.html" %}
        {% block footer %}<p>custom footer</p>{% endblock %}
        """})
    cfg, site, pages = site_and_pages(root, make("x"))
    html = render_page(make_environment(cfg), pages["posts/x/index.html"], site).decode()
    assert "custom footer" in html
    assert 'class="skip-link"' in html  # the rest of the built-in base is still there


def test_undefined_variable_names_template_line_and_page(write_site: WriteSite) -> None:
    root = write_site({"templates/post.html": "<h1>{{ post.title }}</h1>\n{{ post.titel }}\n"})
    cfg, site, pages = site_and_pages(root, make("x"))
    with pytest.raises(TemplateError) as caught:
        render_page(make_environment(cfg), pages["posts/x/index.html"], site)
    error = caught.value
    assert (error.path, error.line) == ("templates/post.html", 2)
    assert "titel" in error.message and "/posts/x/" in error.message
    assert "content/posts/x.md" in error.message


PAGE = "posts/x/index.html"


@pytest.mark.parametrize(("template", "code", "page", "message", "hint"), [
    ("post.html", "{{ post.titel }}", PAGE, "post.titel is undefined", "did you mean post.title?"),
    ("post.html", "{% for t in post.tags %}{{ t.nmae }}{% endfor %}", PAGE,
     "t.nmae is undefined: a Tag has no attribute 'nmae'", "did you mean t.name?"),
    ("post.html", "{{ site.psots | length }}", PAGE, "site.psots", "did you mean site.posts?"),
    ("post.html", "{{ config.titel }}", PAGE, "config.titel", "did you mean config.title?"),
    ("post.html", "{{ post.extra.mode }}", PAGE, "the mapping", "did you mean post.extra.mood?"),
    ("post.html", "{% if pots.title %}{% endif %}", PAGE, "'pots' is undefined",
     "did you mean post?"),
    ("tag.html", "{{ tag.nmae }}", "tags/a/index.html", "tag.nmae", "did you mean tag.name?"),
])
def test_an_undefined_name_in_a_template_gets_the_close_name(write_site: WriteSite, template: str, code: str,
                                                             page: str, message: str, hint: str) -> None:
    root = write_site({f"templates/{template}": f"<h1>{{{{ page.url }}}}</h1>\n\n{code}\n"})
    cfg, site, pages = site_and_pages(root, make("x", tags="[a]", mood="calm"))
    with pytest.raises(TemplateError) as caught:
        render_page(make_environment(cfg), pages[page], site)
    error = caught.value
    assert (error.path, error.line) == (f"templates/{template}", 3)
    assert message in error.message and error.hint == hint


def test_an_undefined_name_with_nothing_close_gets_no_guess(write_site: WriteSite) -> None:
    root = write_site({"templates/post.html": "{{ post.zzz }}\n"})
    cfg, site, pages = site_and_pages(root, make("x"))
    with pytest.raises(TemplateError) as caught:
        render_page(make_environment(cfg), pages["posts/x/index.html"], site)
    assert "post.zzz is undefined" in caught.value.message and caught.value.hint is None


def test_syntax_error_is_located(write_site: WriteSite) -> None:
    root = write_site({"templates/tag.html": "line one\n{% if %}\n"})
    cfg, site, pages = site_and_pages(root, make("x", tags="[a]"))
    with pytest.raises(TemplateError) as caught:
        render_page(make_environment(cfg), pages["tags/a/index.html"], site)
    assert (caught.value.path, caught.value.line) == ("templates/tag.html", 2)


def test_missing_template_is_named(write_site: WriteSite) -> None:
    cfg, site, _ = site_and_pages(write_site({}), make("x"))
    page = Page(path=Path("x.html"), url="/x.html", template="nope.html",  # type: ignore[arg-type]
                context=MappingProxyType({}), origin="content/posts/x.md")
    with pytest.raises(TemplateError, match="nope.html"):
        render_page(make_environment(cfg), page, site)


def test_tag_page_has_the_heading_and_the_whole_post_or_its_excerpt(write_site: WriteSite) -> None:
    cfg, site, pages = site_and_pages(
        write_site({}),
        make("whole", tags="[paradigm shift in AI]", body="First.\n\nSecond paragraph."),
        make("cut", tags="[paradigm shift in AI]", date="2025-02-01",
             body="Teaser.\n\n<!--more-->\n\nHidden rest."))
    html = render_page(make_environment(cfg), pages["tags/paradigm-shift-in-ai/index.html"], site).decode()
    assert "<h1 class=\"page-title\">Posts tagged paradigm shift in AI</h1>" in html
    assert "Second paragraph." in html and "Teaser." in html
    assert "Hidden rest." not in html
    assert html.count("Continue reading") == 1
    assert html.index("Teaser.") < html.index("Second paragraph.")  # newest first


def test_dates_are_formatted_without_the_locale() -> None:
    when = datetime(2025, 1, 28, tzinfo=UTC)
    assert format_date(when) == "28 January 2025"
    assert format_date(when, "short") == "28 Jan"


def test_only_html_fields_are_marked_safe() -> None:
    theme = Path(__file__).resolve().parent.parent / "sitegen" / "theme" / "templates"
    import re
    marked = [(template.name, match) for template in theme.rglob("*") if template.is_file()
              for match in re.finditer(r"\{\{\s*([\w.]+)\s*\|\s*safe", template.read_text())]
    assert marked, "the theme marks post bodies safe: the pattern no longer finds them"
    for name, match in marked:
        assert match.group(1).endswith("_html"), (name, match.group(0))


def test_template_references_are_remembered_by_source(write_site: WriteSite,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild parses only the templates whose source is new to find what they extend."""
    from sitegen import renderer

    root = write_site({"templates/base.html": '{% extends "theme/base.html" %}\n'})
    cfg = config_for(root)
    known: dict[str, list[str] | None] = {}
    renderer._LAST.clear()
    first = renderer.template_fingerprints(make_environment(cfg), known)
    assert known and all(v is None or isinstance(v, list) for v in known.values())

    parsed: list[str] = []
    real = renderer.jinja2.Environment.parse
    monkeypatch.setattr(renderer.jinja2.Environment, "parse",
                        lambda self, source, *args: parsed.append(source) or real(self, source, *args))
    renderer._LAST.clear()
    assert renderer.template_fingerprints(make_environment(cfg), known) == first and parsed == []

    (root / "templates/base.html").write_text('{% extends "theme/base.html" %}{# changed #}\n')
    renderer._LAST.clear()
    again = renderer.template_fingerprints(make_environment(cfg), dict(known))
    assert len(parsed) == 1 and again["base.html"] != first["base.html"]
    assert again["post.html"] != first["post.html"]  # post.html extends the changed base.html
    renderer._LAST.clear()
    assert again == renderer.template_fingerprints(make_environment(cfg))  # as without the memo
