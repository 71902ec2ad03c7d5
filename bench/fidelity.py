"""How closely sitegen's Markdown flavors render real posts as the generators they come from did.

Each post of each corpus (shared/corpora/*/, test data read in place, never copied) is rendered
by the reference engines found on this machine and by sitegen, in its default flavor and in the
flavor made for that engine, and the two HTML outputs are compared by structure: list items at
each depth of nesting, code blocks, tables, headings by level, links, images, block quotes at
each depth. A post differs when any of those counts does. Template syntax ({{ }} and {% %}) is
neutralised in the text both engines get, as the generator's template engine would have run
first. Footnotes and heading permalinks are left out (each engine marks them its own way).

Reference engines (bench only, none of them a dependency of sitegen; an absent one is skipped
with a message):
  kramdown     apt-get install ruby-kramdown ruby-kramdown-parser-gfm (one Ruby process, posts as
               JSON lines; Jekyll 4's options: GFM input, no hard wraps)
  goldmark     apt-get install hugo (one throwaway Hugo site holding every post; raw HTML kept)
  markdown-it  pip install markdown-it-py mdit-py-plugins (Eleventy's options: html on, linkify
               off; footnotes and attributes as 18F's Eleventy site has them)
  cmark-gfm    pip install cmarkgfm (CommonMark, with GitHub's tables)

Usage: python bench/fidelity.py [--corpora DIR] [--show N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sitegen.flavors import FLAVORS  # noqa: E402
from sitegen.markup import render  # noqa: E402

CORPORA = {"18f-blog": ("content/posts", "*.md"), "jekyll-news": ("docs/_posts", "*")}
# The engine each corpus was rendered by: 18F's blog was a Jekyll site before it moved to Eleventy
OWN = {"18f-blog": ("markdown-it", "kramdown"), "jekyll-news": ("kramdown",)}
FLAVOR_OF = {"kramdown": "kramdown", "goldmark": "goldmark", "markdown-it": "markdown-it",
             "cmark-gfm": "commonmark"}
_FRONT = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_TAG = re.compile(r"\{%.*?%\}", re.DOTALL)
_VALUE = re.compile(r"\{\{.*?\}\}", re.DOTALL)

KRAMDOWN = r"""
require "json"
require "kramdown"
require "kramdown-parser-gfm"
options = {input: "GFM", hard_wrap: false, auto_ids: true, footnote_nr: 1, entity_output: "as_char",
           toc_levels: (1..6).to_a, smart_quotes: "lsquo,rsquo,ldquo,rdquo", syntax_highlighter: nil,
           show_warnings: false}
STDOUT.sync = true
STDIN.each_line do |line|
  html = begin Kramdown::Document.new(JSON.parse(line), options).to_html rescue "" end
  puts JSON.generate(html)
end
"""


def posts(root: Path) -> dict[str, list[tuple[str, str]]]:
    """Corpus -> (file name, Markdown body with template syntax neutralised)."""
    found = {}
    for name, (folder, pattern) in CORPORA.items():
        files = sorted(p for p in (root / name / folder).glob(pattern) if p.is_file())
        if files:
            found[name] = [(p.name, neutralise(_FRONT.sub("", p.read_text(encoding="utf-8-sig"))))
                           for p in files]
    return found


def neutralise(body: str) -> str:
    """What a template engine leaves of its syntax: nothing of a tag, a word for a value."""
    return _VALUE.sub("x", _TAG.sub("", body.replace("\r\n", "\n")))


def kramdown(texts: list[str]) -> list[str] | None:
    if shutil.which("ruby") is None:
        return None
    check = subprocess.run(["ruby", "-e", 'require "kramdown"; require "kramdown-parser-gfm"'],
                           capture_output=True, check=False)
    if check.returncode:
        return None
    result = subprocess.run(["ruby", "-e", KRAMDOWN], input="".join(json.dumps(t) + "\n" for t in texts),
                            capture_output=True, text=True, check=True)
    return [json.loads(line) for line in result.stdout.splitlines()]


def goldmark(texts: list[str]) -> list[str] | None:
    if shutil.which("hugo") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        (site / "layouts" / "_default").mkdir(parents=True)
        (site / "layouts" / "_default" / "single.html").write_text("{{ .Content }}")
        (site / "layouts" / "_default" / "list.html").write_text("")
        (site / "config.toml").write_text(
            'baseURL = "http://localhost/"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n'
            "[markup.goldmark.renderer]\nunsafe = true\n[markup.highlight]\ncodeFences = false\n")
        content = site / "content" / "p"
        content.mkdir(parents=True)
        for i, text in enumerate(texts):
            (content / f"{i:05d}.md").write_text(f"---\ntitle: p{i}\n---\n{text}")
        subprocess.run(["hugo", "--quiet", "-d", str(site / "out")], cwd=site, check=True,
                       capture_output=True)
        return [(site / "out" / "p" / f"{i:05d}" / "index.html").read_text() for i in range(len(texts))]


def markdown_it(texts: list[str]) -> list[str] | None:
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        return None
    md = MarkdownIt("default", {"html": True, "linkify": False})
    try:
        from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
        from mdit_py_plugins.footnote import footnote_plugin
        md = md.use(footnote_plugin).use(attrs_plugin).use(attrs_block_plugin)
    except ImportError:
        print("mdit-py-plugins absent: markdown-it without footnotes and attributes", file=sys.stderr)
    return [md.render(text) for text in texts]


def cmark_gfm(texts: list[str]) -> list[str] | None:
    try:
        import cmarkgfm
        from cmarkgfm.cmark import Options
    except ImportError:
        return None
    return [cmarkgfm.markdown_to_html_with_extensions(text, options=Options.CMARK_OPT_UNSAFE,
                                                      extensions=["table"]) for text in texts]


ENGINES: dict[str, Callable[[list[str]], list[str] | None]] = {
    "kramdown": kramdown, "goldmark": goldmark, "markdown-it": markdown_it, "cmark-gfm": cmark_gfm}


class Structure(HTMLParser):
    """Counts of the structural elements of an HTML fragment, by kind and depth."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.counts: Counter[str] = Counter()
        self.lists = self.quotes = 0
        self.skipping: list[str] = []  # footnote sections: each engine writes its own

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if self.skipping:
            if tag == self.skipping[0]:
                self.skipping.append(tag)
            return
        if tag in ("div", "section") and "footnote" in attributes.get("class", ""):
            self.skipping.append(tag)
        elif tag in ("ul", "ol"):
            self.lists += 1
        elif tag == "li":
            self.counts[f"li@{self.lists}"] += 1
        elif tag == "blockquote":
            self.quotes += 1
            self.counts[f"blockquote@{self.quotes}"] += 1
        elif tag in ("pre", "table", "img", "h1", "h2", "h3", "h4", "h5", "h6"):
            self.counts[tag] += 1
        elif tag == "a" and "href" in attributes:
            href, kind = attributes["href"], attributes.get("class", "")
            if not href.startswith("#fn") and "headerlink" not in kind and "anchor" not in kind:
                self.counts["a"] += 1

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[0]:
                self.skipping.pop()
        elif tag in ("ul", "ol"):
            self.lists = max(0, self.lists - 1)
        elif tag == "blockquote":
            self.quotes = max(0, self.quotes - 1)


def structure(html: str) -> Counter[str]:
    parser = Structure()
    parser.feed(html)
    parser.close()
    return parser.counts


def differences(a: Counter[str], b: Counter[str]) -> list[str]:
    return [f"{key} {a[key]}/{b[key]}" for key in sorted(set(a) | set(b)) if a[key] != b[key]]


def sitegen(texts: list[str], flavor: str) -> list[str]:
    return [render(text, url="/posts/x/", base_path="/", unsafe_html=True, flavor=flavor).body_html
            for text in texts]


def timings(texts: list[str], runs: int, chunk: int = 25) -> dict[str, float]:
    """CPU ms per post of each flavor's render, the flavors interleaved a few posts at a time (in
    an order that turns each chunk), so that what else the machine does weighs on all alike."""
    spent = dict.fromkeys(FLAVORS, 0.0)
    names = list(FLAVORS)
    for flavor in names:
        sitegen(texts[:1], flavor)  # each converter is made on first use
    for run in range(runs):
        for n, start in enumerate(range(0, len(texts), chunk)):
            part = texts[start:start + chunk]
            turn = (n + run) % len(names)
            for flavor in names[turn:] + names[:turn]:
                began = time.process_time()
                sitegen(part, flavor)
                spent[flavor] += time.process_time() - began
    return {flavor: seconds * 1000 / (runs * len(texts)) for flavor, seconds in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=None)
    parser.add_argument("--show", type=int, default=0, help="list up to N differing posts per pair")
    parser.add_argument("--runs", type=int, default=5, help="timing runs over every post")
    args = parser.parse_args()
    root = args.corpora or next((c for c in (REPO.parent / "shared" / "corpora",
                                             Path("/work/shared/corpora")) if c.is_dir()), None)
    if root is None:
        sys.exit("no corpora found: pass --corpora DIR")
    corpora = posts(root)
    rows = []
    for name, items in corpora.items():
        texts = [text for _, text in items]
        ours = {flavor: sitegen(texts, flavor) for flavor in FLAVORS}
        for engine, run in ENGINES.items():
            start = time.perf_counter()
            theirs = run(texts)
            if theirs is None:
                print(f"{engine}: not installed, skipped", file=sys.stderr)
                continue
            their_ms = (time.perf_counter() - start) * 1000 / len(texts)
            flavor = FLAVOR_OF[engine]
            wanted = [structure(html) for html in theirs]
            row = {"corpus": name, "engine": engine, "posts": len(texts), "own": engine in OWN[name],
                   "engine_ms": their_ms}
            for label, candidate in (("default", "sitegen"), ("flavor", flavor)):
                got = [structure(html) for html in ours[candidate]]
                diff = [(items[i][0], differences(got[i], wanted[i])) for i in range(len(texts))
                        if got[i] != wanted[i]]
                row[label] = 100 * len(diff) / len(texts)
                if args.show and label == "flavor":
                    for file, keys in diff[:args.show]:
                        print(f"  {name} {engine}/{flavor}: {file}: {', '.join(keys)}")
            rows.append(row)
    print("\n| corpus | posts | engine (flavor) | its own | differ, flavor sitegen | differ, its flavor "
          "| engine wall ms/post |")
    print("|---|---:|---|---|---:|---:|---:|")
    for row in rows:
        print(f"| {row['corpus']} | {row['posts']} | {row['engine']} ({FLAVOR_OF[row['engine']]}) | "
              f"{'yes' if row['own'] else 'no'} | {row['default']:.1f}% | {row['flavor']:.1f}% | "
              f"{row['engine_ms']:.2f} |")
    every = [text for items in corpora.values() for _, text in items]
    ms = timings(every, args.runs)
    print(f"\n| flavor | CPU ms/post ({len(every)} posts, {args.runs} runs) | vs sitegen |")
    print("|---|---:|---:|")
    for flavor, value in ms.items():
        print(f"| {flavor} | {value:.2f} | {100 * (value / ms['sitegen'] - 1):+.1f}% |")

if __name__ == "__main__":
    main()
