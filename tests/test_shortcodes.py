"""Other generators' template syntax in posts: the common tags render as they did, nothing runs."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.builder import build
from sitegen.errors import Problems
from sitegen.parser import parse_post
from sitegen.shortcodes import rewrite
from tests.conftest import WriteSite, config_for, post
from tests.test_parser import config

SOURCE = PurePosixPath("content/posts/2020/a.md")
BASE = "https://example.org/blog/"


def done(text: str) -> str:
    return rewrite(text, SOURCE, BASE)[0]


@pytest.mark.parametrize(("written", "meant"), [
    ("![x]({{ site.baseurl }}/img/x.png)", "![x](/img/x.png)"),  # the base path is added later
    ("[a]({{ '/about/' | relative_url }})", "[a](/about/)"),
    ('[a]({{ "/about/" | absolute_url }})', "[a](https://example.org/blog/about/)"),
    ("{{ site.url }}{{ site.baseurl }}/feed.xml", "https://example.org/blog/feed.xml"),
    ("{{ site.url }}/x", "https://example.org/x"),
    ("[b]({% post_url 2010-07-21-name %})", "[b](../2010-07-21-name.md)"),
    ("[b]({% post_url sub/2010-07-21-name %})", "[b](../sub/2010-07-21-name.md)"),
    ("[c]({% link _posts/2016-07-26-name.md %})", "[c](../2016-07-26-name.md)"),
    ("[d]({% link about.md %})", "[d](../../pages/about.md)"),
    ("![i]({% link assets/x.png %})", "![i](/assets/x.png)"),
    ('[e]({{< ref "posts/other.md#part" >}})', "[e](../other.md#part)"),
    ('[f]({{< relref "same" >}})', "[f](same.md)"),
    ('[g]({{< ref "#here" >}})', "[g](#here)"),
    ("{% raw %}{{ literal }}{% endraw %}", "{{ literal }}"),
    ("{% raw %}`{% post_url %}`{% endraw %} and {% raw %}x{% endraw %}", "`{% post_url %}` and x"),
    ('[h]({{ "/consulting/" | url }})', "[h](/consulting/)"),
    ('<iframe src="{{ \'https://www.youtube.com/embed/x\' | url }}">', '<iframe src="https://www.youtube.com/embed/x">'),
    ('{% image "assets/blog/a.jpg" "our team" %}', '<img src="/assets/blog/a.jpg" alt="our team">'),
    ('{% image "./img/cat.jpg", "photo of my cat" %}', '<img src="/img/cat.jpg" alt="photo of my cat">'),
    ("{{< youtube dQw4w9WgXcQ >}}", '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" '
     'title="Video" width="560" height="315" allowfullscreen loading="lazy"></iframe>'),
    ('{{< vimeo id="146022717" title="A talk" >}}', '<iframe src="https://player.vimeo.com/video/146022717" '
     'title="A talk" width="560" height="315" allowfullscreen loading="lazy"></iframe>'),
    ('{{< figure src="/a.png" alt="A cat" caption="Cat <3" link="https://x.org/" >}}',
     '<figure><a href="https://x.org/"><img src="/a.png" alt="A cat"></a>'
     '<figcaption><p>Cat &lt;3</p></figcaption></figure>'),
])
def test_known_syntax_is_rewritten_as_its_generator_rendered_it(written: str, meant: str) -> None:
    assert rewrite(written, SOURCE, BASE) == (meant, [])


def test_highlight_blocks_become_fenced_code_with_their_language() -> None:
    text = ("{% highlight ruby linenos %}\nputs '{{ x }}'\n{% endhighlight %}\n\n"
            "{{< highlight go >}}\nx := 1\n{{< /highlight >}}")
    assert done(text) == "```ruby\nputs '{{ x }}'\n```\n\n```go\nx := 1\n```"
    assert done("{% highlight md %}\n```\ncode\n```\n{% endhighlight %}") == "~~~md\n```\ncode\n```\n~~~"


def test_code_is_left_as_written() -> None:
    text = "`{% post_url a %}` and\n\n```\n{{< youtube abcdefgh >}}\n{% highlight x %}\n```\n"
    assert rewrite(text, SOURCE, BASE) == (text, [])


@pytest.mark.parametrize("unknown", ["{% include note.html %}", "{{ page.title }}", "{{< tweet 123 >}}",
                                     "{% raw %} never closed", "{{< youtube bad/id >}}",
                                     '{{< figure src="a.png" unknown="x" >}}'])
def test_anything_else_stays_text_and_is_named_once(unknown: str) -> None:
    text = f"Line one.\n\n{unknown} and {unknown}\n"
    out, shown = rewrite(text, SOURCE, BASE)
    assert out == text
    assert len(shown) == 1 and shown[0][0] == 2 and shown[0][1] in unknown


def test_a_post_says_where_its_unknown_syntax_is_and_shows_it() -> None:
    problems = Problems()
    text = ("---\ntitle: T\ndate: 2025-01-01\n---\nFine {{ site.baseurl }}.\n\n{% include x.html %}\n\n"
            "{{ y }}\n")
    result = parse_post(SOURCE, text, config(), section="posts", problems=problems)
    assert result is not None
    assert [(w.line, w.message.split(" is ")[0]) for w in problems.warnings] == [(7, "{% include x.html %}")]
    assert "{% include x.html %}" in result.body_html and "{{ y }}" in result.body_html
    assert "site.baseurl" not in result.body_html


def test_links_to_other_posts_resolve_to_their_urls(write_site: WriteSite) -> None:
    root = write_site({
        "content/posts/2010-07-21-name.md": post("Target", date="2010-07-21"),
        "content/posts/2020-01-01-from.md": post(
            "From", date="2020-01-01",
            body="[to]({% post_url 2010-07-21-name %}) and [gone]({% post_url 2011-01-01-gone %})"),
    })
    report = build(config_for(root))
    page = (root / "public/posts/from/index.html").read_text()
    assert 'href="/posts/name/"' in page
    assert [(w.path, w.message) for w in report.warnings if "gone" in w.message] == [
        ("content/posts/2020-01-01-from.md",
         "link to 2011-01-01-gone.md, which is not a published post or page")]


PIECES = [*"{}%<>/ abx\"'`\n|", "{%", "%}", "{{", "}}", "{{<", ">}}", " raw ", " endraw ", " highlight "]


@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_rewriting_never_fails_and_keeps_the_lines(text: str) -> None:
    out, shown = rewrite(text, SOURCE, BASE)
    assert out.count("\n") == text.count("\n")
    assert all(0 <= line <= text.count("\n") for line, _ in shown)


def test_embeds_and_figures_survive_the_sanitizer_without_a_warning() -> None:
    problems = Problems()
    text = ('---\ntitle: T\ndate: 2025-01-01\n---\n{{< youtube dQw4w9WgXcQ >}}\n\n'
            '{{< figure src="/a.png" alt="A cat" caption="A cat" >}}\n\n{% image "img/b.png", "B" %}\n')
    result = parse_post(SOURCE, text, config(), section="posts", problems=problems)
    assert result is not None and problems.warnings == [] and problems.errors == []
    assert '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in result.body_html
    assert '<figure><img src="/a.png" alt="A cat"><figcaption><p>A cat</p></figcaption></figure>' \
        in result.body_html
    assert '<img src="/img/b.png" alt="B">' in result.body_html
