#!/usr/bin/env python3
"""Deterministic synthetic blog corpus for benchmarking sitegen (and, optionally, Pelican and Hugo).

    python bench/generate.py --posts 1000 --seed 1 --out /tmp/corpus/site

writes
    DIR/sitegen.yaml, DIR/content/posts/*.md              the sitegen site (what matters)
    DIR-pelican/pelicanconf.py, DIR-pelican/content/*.md  the same posts for Pelican
    DIR-hugo/hugo.toml, DIR-hugo/layouts/, DIR-hugo/content/posts/*.md   ... and for Hugo

Posts are about 700 words of Markdown: ## headings, emphasis, inline code, links, bulleted and
numbered lists, fenced code blocks with a language, blockquotes and now and then a table. Front
matter has a title (some need YAML quoting: `&`, `:`, quotes, non-ASCII), a date spread over
2010-2024 (date only, `YYYY-MM-DD HH:MM`, or a full ISO timestamp with an offset) and 1-5 tags
drawn Zipf-like from about N/10 tags whose names have spaces, capitals, symbols (C++, C#, .NET,
Node.js) and non-ASCII letters (Café, Ökologie, 日本語). Every tag has a non-empty slug through
sitegen.urls.slugify, and no two tags share a slug or an identity (tag_key).

Only the standard library plus sitegen.urls (for the slug check) is used; the same --posts and
--seed give byte-identical files. Nothing here depends on hash() or set order.
"""
# ruff: noqa: E501  (the Hugo layouts below are kept as one line per template construct)

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path

try:
    from sitegen.urls import slugify, tag_key
except ImportError:  # run from a checkout without sitegen installed: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from sitegen.urls import slugify, tag_key

MARKER = ".bench-corpus"
BASE_URL = "https://bench.example.org/"

# --------------------------------------------------------------------------- vocabulary

COMMON = ("the the the the of of of and and and to to to a a a in in in is is that that for "
          "for it it with as on was this by be are we you not but or from at an have which more "
          "can when so if one all about they what there their our will just than then also "
          "some into only other how its much most even because while these those very still "
          "each every both never often usually rather quite").split()

CONTENT = ("build cache server client request response latency throughput memory disk network "
           "thread process queue buffer parser compiler runtime module package release version "
           "branch commit review test suite fixture benchmark profile trace metric log error "
           "warning failure retry timeout budget deadline team project roadmap design document "
           "draft editor keyboard terminal shell script config template theme layout page post "
           "feed tag archive index search query table column row schema migration backup restore "
           "deploy pipeline container image volume cluster node replica shard leader follower "
           "consensus protocol packet socket stream file folder path link anchor heading list "
           "quote garden kitchen coffee bicycle train morning evening weekend winter summer city "
           "river mountain notebook pencil library museum market neighbour friend colleague "
           "reader writer habit routine lesson mistake surprise question answer idea argument "
           "detail example pattern principle tradeoff constraint boundary interface contract "
           "fast slow small large careful simple clear messy quiet noisy stable fragile robust "
           "lazy eager strict loose modern legacy curious patient honest practical elegant "
           "obvious subtle useful painful cheap expensive portable readable "
           "write read measure compare refactor rewrite delete rename split merge ship test "
           "debug explain learn teach notice forget remember prefer avoid choose keep move "
           "start finish wait sleep walk cook travel sketch publish render parse compile "
           "café naïve façade résumé über Zürich Ökologie smörgåsbord jalapeño déjà-vu "
           "coördinate fiancée Ångström").split()

LINK_TEXTS = ("the documentation", "this talk", "a longer write-up", "the changelog",
              "an old thread", "the spec", "my notes", "the release post", "this paper",
              "the source", "a benchmark", "the tutorial")
LINK_HOSTS = ("https://example.org", "https://docs.example.com", "https://blog.example.net",
              "https://en.wikipedia.org/wiki", "https://github.com/example")

# Tag names. The first ones are the popular head of the Zipf curve.
HEAD_TAGS = ("Python", "JavaScript", "C++", "Rust", "Go", "Machine Learning", "Web Development",
             "C#", ".NET", "Node.js", "DevOps", "Open Source", "Café", "Databases", "Linux",
             "Ökologie", "日本語", "TypeScript", "Career", "Books")
SPECIAL_TAGS = ("F#", "Vue.js", "ASP.NET Core", "Objective-C", "R&D", "CI/CD", "Web 3.0",
                "Wi-Fi", "@mentions", "Straße", "Ελληνικά", "Москва", "Español", "Zürich",
                "São Paulo", "Crème brûlée", "naïve Bayes", "東京", "한국어", "Kraków",
                "Next.js", "D3.js", "HTTP/2", "GraphQL", "PostgreSQL", "SQLite", "Emacs",
                "Vim", "Ærø", "Málaga", "Über-Engineering", "Fußball", "smörgåsbord",
                "Québec", "Île-de-France", "Tōkyō Notes", "Data & Ethics", "Q&A")
TAG_ADJECTIVES = ("Distributed", "Functional", "Reactive", "Static", "Dynamic", "Embedded",
                  "Mobile", "Cloud", "Quantum", "Green", "Urban", "Minimal", "Modern",
                  "Legacy", "Open", "Secure", "Async", "Parallel", "Visual", "Creative",
                  "Personal", "Remote", "Local", "Digital", "Analog", "Slow", "Applied",
                  "Practical", "Deep", "Small", "Big", "Real-time", "Serverless", "Typed",
                  "Literate", "Generative", "Ökonomische", "Café", "Nordic", "Später",
                  "Élégant", "Naïve", "Smart", "Edge", "Hybrid", "Frugal", "Accessible")
TAG_NOUNS = ("Systems", "Programming", "Design", "Testing", "Security", "Computing",
             "Gardening", "Cooking", "Photography", "Travel", "Music", "Writing", "Reading",
             "Architecture", "Networking", "Databases", "Compilers", "Tooling", "Hardware",
             "Robotics", "Typography", "Performance", "Caching", "Logging", "Monitoring",
             "Deployment", "Packaging", "Interfaces", "Algorithms", "Math", "Statistics",
             "Economics", "Ecology", "Cycling", "Running", "Coffee", "Tea", "Baking",
             "Journaling", "Productivity", "Leadership", "Mentoring", "Hiring", "Startups",
             "Finance", "History", "Philosophy", "Linguistics", "Maps", "Games", "Puzzles",
             "Keyboards", "Terminals", "Editors", "Shells", "Browsers", "Standards",
             "Protocols", "Accessibility", "Ökologie", "Städte", "Kaffeehäuser", "Éditions",
             "Cafés", "Fjörds", "Garten", "Musik", "日本", "写真", "料理")
ACRONYMS = ("API", "CSS", "HTML", "HTTP", "SQL", "UX", "UI", "AI", "ML", "GPU", "CPU", "IoT",
            "SRE", "TDD", "DDD", "REST", "RPC", "DNS", "TLS", "WASM", "LLM", "NLP", "K8s")
LANGS = ("Python", "Ruby", "Elixir", "Haskell", "Kotlin", "Swift", "Zig", "OCaml", "Scala",
         "Clojure", "Erlang", "Lua", "Perl", "PHP", "Julia", "Dart", "Nim", "Crystal")

TITLE_PATTERNS = (
    "{Topic}: what I learned",
    "Notes on {topic}",
    "{Topic} & {topic2}, revisited",
    "Why {topic} matters more than you think",
    "A week with {tag}",
    "{tag} in practice: a field report",
    "Café notes: {topic}",
    "The “quiet” {topic} problem",
    "Über {topic}, and other {topic2}",
    "How we cut {topic} in half",
    "{Topic}, {topic2} and the cost of {topic3}",
    "It's not the {topic}, it's the {topic2}",
    "Ten years of {topic}",
    "{tag} tips & tricks",
    "Lessons from a failed {topic} migration",
    "Ökologie of {topic}",
    "Q: should you rewrite your {topic}?",
    "On {topic} (again)",
    "{Topic} — a naïve approach",
    "Reading list: {topic} #{n}",
    "Small {topic}, big {topic2}",
    "The 日本語 {topic} diaries",
    "What {topic} taught me about {topic2}",
    "{tag} vs. {tag2}: an honest comparison",
)

CODE_SNIPPETS = {
    "python": (
        "import {mod}\n\n\ndef {name}(items, limit={n}):\n    \"\"\"Return the first items that pass.\"\"\"\n"
        "    result = []\n    for item in items:\n        if item.{attr} > limit:\n"
        "            result.append(item)\n    return result\n\n\nif __name__ == \"__main__\":\n"
        "    print({name}({mod}.load(), limit={n}))",
        "from dataclasses import dataclass\n\n\n@dataclass(frozen=True)\nclass {Name}:\n"
        "    {attr}: str\n    count: int = {n}\n\n    def scaled(self, factor: float) -> float:\n"
        "        return self.count * factor\n",
    ),
    "javascript": (
        "const {name} = async (url) => {{\n  const response = await fetch(url);\n"
        "  if (!response.ok) {{\n    throw new Error(`HTTP ${{response.status}}`);\n  }}\n"
        "  const data = await response.json();\n  return data.{attr}.slice(0, {n});\n}};\n\n"
        "{name}('/api/{attr}').then(console.log);",
    ),
    "cpp": (
        "#include <vector>\n#include <ranges>\n\nauto {name}(const std::vector<int>& v) {{\n"
        "    return v | std::views::filter([](int x) {{ return x % {n} == 0; }})\n"
        "             | std::views::transform([](int x) {{ return x * x; }});\n}}",
    ),
    "rust": (
        "use std::collections::HashMap;\n\nfn {name}(words: &[&str]) -> HashMap<&str, usize> {{\n"
        "    let mut counts = HashMap::new();\n    for w in words {{\n"
        "        *counts.entry(*w).or_insert(0) += {n};\n    }}\n    counts\n}}",
    ),
    "go": (
        "package main\n\nimport \"fmt\"\n\nfunc {name}(xs []int) int {{\n\ttotal := 0\n"
        "\tfor _, x := range xs {{\n\t\ttotal += x * {n}\n\t}}\n\treturn total\n}}\n\n"
        "func main() {{\n\tfmt.Println({name}([]int{{1, 2, 3}}))\n}}",
    ),
    "bash": (
        "#!/usr/bin/env bash\nset -euo pipefail\n\nfor f in content/posts/*.md; do\n"
        "  grep -c '{attr}' \"$f\" || true\ndone | sort -n | tail -n {n}",
    ),
    "yaml": (
        "name: {name}\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: make {attr}\n      - run: echo {n}",
    ),
    "json": (
        "{{\n  \"name\": \"{name}\",\n  \"version\": \"1.{n}.0\",\n  \"{attr}\": true,\n"
        "  \"tags\": [\"café\", \"c++\", \"node.js\"]\n}}",
    ),
    "sql": (
        "SELECT t.name, count(*) AS posts\nFROM tags t\nJOIN post_tags pt ON pt.tag_id = t.id\n"
        "WHERE t.{attr} IS NOT NULL\nGROUP BY t.name\nORDER BY posts DESC\nLIMIT {n};",
    ),
    "csharp": (
        "public record {Name}(string {Attr}, int Count)\n{{\n    public int Twice() => Count * {n};\n}}\n\n"
        "var x = new {Name}(\"{attr}\", 3);\nConsole.WriteLine(x.Twice());",
    ),
}
CODE_LANGS = tuple(CODE_SNIPPETS)  # dict order: deterministic
IDENTIFIERS = ("load", "parse", "render", "collect", "merge", "window", "batch", "select",
               "report", "count", "score", "index", "walk", "fold", "scan", "build")


# --------------------------------------------------------------------------- helpers


def yaml_string(text: str, rng: random.Random) -> str:
    """A YAML scalar for text: plain when that is safe, else single- or double-quoted."""
    if re.fullmatch(r"[^\W_][\w .,'()!-]*[\w.)!]", text) and ": " not in text and " #" not in text:
        return text
    if rng.random() < 0.3:
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)


def yaml_list(items: list[str]) -> str:
    out = []
    for item in items:
        plain = re.fullmatch(r"[A-Za-z][A-Za-z0-9 ]*[A-Za-z0-9]|[A-Za-z]", item)
        out.append(item if plain else json.dumps(item, ensure_ascii=False))
    return "[" + ", ".join(out) + "]"


def zipf_weights(count: int, exponent: float = 1.0) -> list[float]:
    return [1.0 / (rank ** exponent) for rank in range(1, count + 1)]


# --------------------------------------------------------------------------- tags


def make_tags(count: int, rng: random.Random) -> list[str]:
    """`count` tag names in popularity order, each with a unique, non-empty slug and key."""
    slugs: dict[str, str] = {}
    keys: dict[str, str] = {}

    def accept(name: str, into: list[str]) -> bool:
        name = " ".join(name.split())
        if not name or "," in name:  # a comma would split a Pelican Tags: line
            return False
        slug, key = slugify(name), tag_key(name)
        if not slug or slug in slugs or key in keys:
            return False
        slugs[slug] = name
        keys[key] = name
        into.append(name)
        return True

    def invent() -> str:
        kind = rng.random()
        if kind < 0.35:
            return f"{rng.choice(TAG_ADJECTIVES)} {rng.choice(TAG_NOUNS)}"
        if kind < 0.50:
            return f"{rng.choice(TAG_ADJECTIVES)} {rng.choice(TAG_NOUNS)}".lower()
        if kind < 0.60:
            return f"{rng.choice(ACRONYMS)} {rng.choice(TAG_NOUNS)}"
        if kind < 0.68:
            return f"{rng.choice(LANGS)} {rng.choice(TAG_NOUNS)}"
        if kind < 0.74:
            return f"{rng.choice(TAG_NOUNS)} & {rng.choice(TAG_NOUNS)}"
        if kind < 0.79:
            return f"{rng.choice(LANGS)}{rng.choice(('.js', '++', '#', ' 2.0', ' 3', '.NET'))}"
        if kind < 0.84:
            return f"{rng.choice(TAG_NOUNS)}/{rng.choice(ACRONYMS)}"
        if kind < 0.89:
            return f"{rng.choice(LANGS)} {rng.randint(1, 12)}.{rng.randint(0, 20)}"
        return (f"{rng.choice(TAG_ADJECTIVES)} {rng.choice(TAG_ADJECTIVES).lower()} "
                f"{rng.choice(TAG_NOUNS)}")

    head: list[str] = []
    for name in HEAD_TAGS:
        if len(head) < count:
            accept(name, head)
    specials = list(SPECIAL_TAGS)
    rng.shuffle(specials)
    tail: list[str] = []
    for name in specials:
        if len(head) + len(tail) < count:
            accept(name, tail)
    attempts = 0
    while len(head) + len(tail) < count:
        attempts += 1
        if attempts > count * 200:
            raise SystemExit(f"could not invent {count} distinct tags")
        accept(invent(), tail)
    rng.shuffle(tail)
    # specials spread through the tail, so some are popular and some are rare
    return head + tail


# --------------------------------------------------------------------------- text


class Writer:
    def __init__(self, rng: random.Random, earlier_slugs: list[str]) -> None:
        self.rng = rng
        self.earlier = earlier_slugs
        self.words = 0

    def word(self) -> str:
        r = self.rng
        return r.choice(COMMON) if r.random() < 0.45 else r.choice(CONTENT)

    def inline(self) -> str:
        r = self.rng
        x = r.random()
        if x < 0.03:
            self.words += 1
            return f"*{self.word()} {self.word()}*"
        if x < 0.045:
            return f"**{self.word()}**"
        if x < 0.065:
            return f"`{r.choice(IDENTIFIERS)}()`"
        if x < 0.077:
            self.words += len(LINK_TEXTS[0].split()) - 1
            text = r.choice(LINK_TEXTS)
            return f"[{text}]({r.choice(LINK_HOSTS)}/{r.choice(CONTENT)}-{r.randint(1, 999)})"
        if x < 0.083 and self.earlier:
            self.words += 2
            return f"[an earlier post](/posts/{r.choice(self.earlier)}/)"
        return self.word()

    def sentence(self) -> str:
        r = self.rng
        n = r.randint(7, 21)
        parts = [self.inline() for _ in range(n)]
        self.words += n
        first = parts[0]
        if first[:1].isalpha():
            parts[0] = first[0].upper() + first[1:]
        end = r.choice((".", ".", ".", ".", "?", "!", ":")) if r.random() < 0.2 else "."
        if end == ":":
            end = "."
        text = " ".join(parts)
        if r.random() < 0.15:
            cut = r.randint(2, n - 2)
            text = " ".join(parts[:cut]) + ", " + " ".join(parts[cut:])
        return text + end

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 6)))

    def bullets(self, numbered: bool = False) -> str:
        r = self.rng
        lines = []
        for i in range(r.randint(3, 6)):
            n = r.randint(3, 12)
            self.words += n
            item = " ".join(self.inline() for _ in range(n))
            lines.append(f"{i + 1}. {item}" if numbered else f"- {item}")
        return "\n".join(lines)

    def code(self) -> str:
        r = self.rng
        lang = r.choice(CODE_LANGS)
        name = r.choice(IDENTIFIERS) + "_" + r.choice(IDENTIFIERS)
        attr = r.choice(("size", "name", "score", "weight", "items", "cost"))
        snippet = r.choice(CODE_SNIPPETS[lang]).format(
            name=name, Name="".join(p.title() for p in name.split("_")), attr=attr,
            Attr=attr.title(), mod=r.choice(("json", "csv", "pathlib", "statistics")),
            n=r.randint(2, 99))
        return f"```{lang}\n{snippet.rstrip()}\n```"

    def quote(self) -> str:
        return "> " + self.sentence() + "\n> " + self.sentence()

    def table(self) -> str:
        r = self.rng
        head = "| tool | seconds | notes |\n|---|---:|---|"
        rows = [f"| {r.choice(CONTENT)} | {r.randint(1, 500) / 10} | {self.word()} {self.word()} |"
                for _ in range(r.randint(3, 5))]
        self.words += 6 + 4 * len(rows)
        return head + "\n" + "\n".join(rows)

    def heading(self, level: int = 2) -> str:
        r = self.rng
        words = [self.word() for _ in range(r.randint(2, 5))]
        self.words += len(words)
        return "#" * level + " " + " ".join(words).capitalize()

    def body(self) -> str:
        r = self.rng
        target = r.randint(560, 680)
        blocks = [self.paragraph(), self.paragraph()]
        code_chance = 0.35 if r.random() < 0.55 else 0.0  # about half the posts have code
        wants_table = r.random() < 0.12
        while self.words < target:
            blocks.append(self.heading())
            blocks.append(self.paragraph())
            x = r.random()
            if x < 0.30:
                blocks.append(self.bullets(numbered=r.random() < 0.25))
            elif x < 0.30 + code_chance:
                blocks.append(self.code())
            elif x < 0.80:
                blocks.append(self.quote())
            if r.random() < 0.2:
                blocks.append(self.heading(3))
            blocks.append(self.paragraph())
            if wants_table and self.words > target / 2:
                blocks.append(self.table())
                wants_table = False
        return "\n\n".join(blocks) + "\n"


# --------------------------------------------------------------------------- posts


def make_title(rng: random.Random, tags: list[str], topic_tags: list[str]) -> str:
    def topic() -> str:
        return rng.choice(CONTENT) + (" " + rng.choice(CONTENT) if rng.random() < 0.4 else "")

    pattern = rng.choice(TITLE_PATTERNS)
    t1 = topic()
    return pattern.format(Topic=t1[:1].upper() + t1[1:], topic=topic(), topic2=topic(),
                          topic3=topic(), tag=topic_tags[0], tag2=rng.choice(tags[:50]),
                          n=rng.randint(1, 40))


def file_slug(title: str, taken: dict[str, int]) -> str:
    slug = slugify(title)[:60].strip("-") or "post"
    count = taken.get(slug, 0) + 1
    taken[slug] = count
    return slug if count == 1 else f"{slug}-{count}"


def generate(posts: int, seed: int) -> tuple[list[dict[str, object]], list[str]]:
    rng = random.Random(seed)
    tags = make_tags(max(1, round(posts / 10)), random.Random(rng.random()))
    weights = zipf_weights(len(tags))
    cumulative = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    start = datetime(2010, 1, 1)
    span = int((datetime(2024, 12, 31) - start).total_seconds()) // 60
    taken: dict[str, int] = {}
    records: list[dict[str, object]] = []
    for _ in range(posts):
        chosen: list[str] = []
        for _ in range(rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5))):
            name = rng.choices(tags, cum_weights=cumulative)[0]
            if name not in chosen:
                chosen.append(name)
        records.append({"tags": chosen})
    # every tag is used at least once: unused ones go to posts picked at random
    used = {name for r in records for name in r["tags"]}  # type: ignore[union-attr]
    for name in tags:
        if name not in used:
            record = records[rng.randrange(posts)]
            record["tags"].append(name)  # type: ignore[union-attr]
    slugs: list[str] = []
    for record in records:
        chosen = record["tags"]  # type: ignore[assignment]
        title = make_title(rng, tags, chosen)  # type: ignore[arg-type]
        when = start + timedelta(minutes=rng.randrange(span))
        style = rng.random()
        if style < 0.55:
            date_text, iso = when.strftime("%Y-%m-%d"), when.strftime("%Y-%m-%dT00:00:00Z")
            when = when.replace(hour=0, minute=0)
        elif style < 0.9:
            date_text, iso = when.strftime("%Y-%m-%d %H:%M"), when.strftime("%Y-%m-%dT%H:%M:00Z")
        else:
            date_text = when.strftime("%Y-%m-%dT%H:%M:00+02:00")
            iso = date_text
        slug = file_slug(title, taken)
        writer = Writer(rng, slugs[-200:])
        record.update(title=title, date=date_text, iso=iso, slug=slug, body=writer.body(),
                      words=writer.words, title_yaml=yaml_string(title, rng))
        slugs.append(slug)
    return records, tags


# --------------------------------------------------------------------------- writers


def _prepare(folder: Path) -> None:
    if folder.exists():
        if any(folder.iterdir()) and not (folder / MARKER).is_file():
            raise SystemExit(f"{folder} exists and was not written by bench/generate.py; refusing")
        shutil.rmtree(folder)
    _MADE.clear()
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("written by bench/generate.py; replaced on every run\n")


_MADE: set[Path] = set()


def _write(path: Path, text: str) -> None:
    if path.parent not in _MADE:
        path.parent.mkdir(parents=True, exist_ok=True)
        _MADE.add(path.parent)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def write_sitegen(out: Path, records: list[dict[str, object]], posts: int, seed: int) -> None:
    _prepare(out)
    _write(out / "sitegen.yaml",
           f"# synthetic benchmark corpus: bench/generate.py --posts {posts} --seed {seed}\n"
           "title: Bench Notes\ndescription: A synthetic blog for benchmarks\n"
           f"author: Bench Author\nbase_url: {BASE_URL}\ntimezone: UTC\n")
    for r in records:
        _write(out / "content" / "posts" / f"{r['slug']}.md",
               f"---\ntitle: {r['title_yaml']}\ndate: {r['date']}\n"
               f"tags: {yaml_list(r['tags'])}\n---\n\n{r['body']}")  # type: ignore[arg-type]


PELICAN_CONF = '''\
# Pelican settings for the synthetic benchmark corpus (bench/generate.py).
# Outputs chosen to match what sitegen writes: a page per post, a paginated home page and
# tag pages, a tags index, an archive, a site Atom feed and an Atom feed per tag.
import os

HERE = os.path.dirname(os.path.abspath(__file__))
AUTHOR = "Bench Author"
SITENAME = "Bench Notes"
SITEURL = "{base}"
PATH = os.path.join(HERE, "content")
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%d %B %Y"
THEME = "simple"
SLUGIFY_SOURCE = "basename"
ARTICLE_URL = "posts/{{slug}}/"
ARTICLE_SAVE_AS = "posts/{{slug}}/index.html"
TAG_URL = "tags/{{slug}}/"
TAG_SAVE_AS = "tags/{{slug}}/index.html"
TAGS_SAVE_AS = "tags/index.html"
ARCHIVES_SAVE_AS = "archive/index.html"
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
DEFAULT_PAGINATION = 10
PAGINATED_TEMPLATES = {{"index": None, "tag": None}}
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"),
)
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feed.xml"
TAG_FEED_ATOM = "tags/{{slug}}/feed.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
FEED_MAX_ITEMS = 20
# sitegen's spellings for symbols, so C++, C and C# get three tag pages, as in sitegen
TAG_REGEX_SUBSTITUTIONS = [
    (r"\\+\\+", "pp"), (r"\\+", " plus "), (r"#", "sharp"),
    (r"(?:(?<=^)|(?<=\\s))\\.(?=\\w)", "dot"), (r"&", " and "), (r"@", " at "),
    (r"[^\\w\\s-]", "-"), (r"(?u)\\A[\\s-]*", ""), (r"(?u)[\\s-]*\\Z", ""), (r"[-\\s]+", "-"),
]
MARKDOWN = {{
    "extension_configs": {{
        "markdown.extensions.codehilite": {{"css_class": "highlight", "guess_lang": False}},
        "markdown.extensions.extra": {{}},
        "markdown.extensions.toc": {{"permalink": "#", "toc_depth": "2-4"}},
        "markdown.extensions.sane_lists": {{}},
    }},
    "output_format": "html5",
}}
# Pelican's own content cache, so its rebuilds are as fast as it can make them
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = os.path.join(HERE, "cache")
'''


def write_pelican(out: Path, records: list[dict[str, object]]) -> None:
    _prepare(out)
    _write(out / "pelicanconf.py", PELICAN_CONF.format(base=BASE_URL.rstrip("/")))
    for r in records:
        _write(out / "content" / f"{r['slug']}.md",
               f"Title: {r['title']}\nDate: {r['date']}\nSlug: {r['slug']}\n"
               f"Tags: {', '.join(r['tags'])}\n\n{r['body']}")  # type: ignore[arg-type]


HUGO_TOML = f'''\
# Hugo settings for the synthetic benchmark corpus (bench/generate.py): pages per post,
# paginated home and tag pages, a tags index, an archive and feeds, like sitegen.
baseURL = "{BASE_URL}"
title = "Bench Notes"
languageCode = "en"
timeZone = "UTC"
disableKinds = ["section"]
[pagination]
  pagerSize = 10
[taxonomies]
  tag = "tags"
[services.rss]
  limit = 20
[markup.tableOfContents]
  startLevel = 2
  endLevel = 4
'''

# The archive page is kept out of site.RegularPages (build.list: never), so that the home page
# can paginate site.RegularPages as it is: a `where` filter there is re-run for each of the
# home page's N/10 pager pages and doubled Hugo's time at 10,000 posts.
HUGO_LAYOUTS = {
    "baseof.html": """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} – {{ site.Title }}</title>
<meta name="description" content="{{ .Summary | plainify | truncate 160 }}">
</head><body><header><a href="{{ "/" | relURL }}">{{ site.Title }}</a> ·
<a href="{{ "/tags/" | relURL }}">Tags</a> · <a href="{{ "/archive/" | relURL }}">Archive</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "_partials/meta.html": """<p class="meta"><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time> · {{ .ReadingTime }} min read</p>
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
""",
    "_partials/excerpt.html": """<article class="excerpt"><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
{{ partial "meta.html" . }}<div class="content">{{ .Summary }}</div></article>
""",
    "_partials/pager.html": """{{ with .Paginator }}{{ if gt .TotalPages 1 }}<nav class="pagination">
{{ with .Prev }}<a href="{{ .URL }}" rel="prev">← Newer posts</a>{{ end }}
<span>Page {{ .PageNumber }} of {{ .TotalPages }}</span>
{{ with .Next }}<a href="{{ .URL }}" rel="next">Older posts →</a>{{ end }}</nav>{{ end }}{{ end }}
""",
    "page.html": """{{ define "main" }}<article class="post"><h1>{{ .Title }}</h1>{{ partial "meta.html" . }}
<nav class="toc">{{ .TableOfContents }}</nav><div class="content">{{ .Content }}</div></article>
<nav class="post-nav">{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>{{ end }}
""",
    "home.html": """{{ define "main" }}{{ $p := .Paginate site.RegularPages }}
{{ range $p.Pages }}{{ partial "excerpt.html" . }}{{ end }}{{ partial "pager.html" . }}{{ end }}
""",
    "term.html": """{{ define "main" }}<h1>Posts tagged {{ .Title }}</h1>
{{ range .Paginator.Pages }}{{ partial "excerpt.html" . }}{{ end }}{{ partial "pager.html" . }}{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}<h1>Tags</h1><ul class="tag-index">
{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> <span>{{ .Count }} posts</span></li>{{ end }}
</ul>{{ end }}
""",
    "archive.html": """{{ define "main" }}<h1>Archive</h1>
{{ range site.RegularPages.GroupByDate "2006" }}<h2>{{ .Key }}</h2><ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2 Jan" }}</li>{{ end }}</ul>{{ end }}{{ end }}
""",
}


def write_hugo(out: Path, records: list[dict[str, object]]) -> None:
    _prepare(out)
    _write(out / "hugo.toml", HUGO_TOML)
    for name, text in HUGO_LAYOUTS.items():
        _write(out / "layouts" / name, text)
    _write(out / "content" / "archive.md",
           "---\ntitle: Archive\nlayout: archive\nurl: /archive/\nbuild:\n  list: never\n---\n")
    for r in records:
        _write(out / "content" / "posts" / f"{r['slug']}.md",
               f"---\ntitle: {r['title_yaml']}\ndate: {r['iso']}\n"
               f"tags: {yaml_list(r['tags'])}\n---\n\n{r['body']}")  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, required=True, help="number of posts")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="site folder to write")
    parser.add_argument("--formats", default="sitegen,pelican,hugo",
                        help="comma-separated: sitegen, pelican, hugo (default: all three)")
    args = parser.parse_args(argv)
    if args.posts < 1:
        parser.error("--posts must be at least 1")
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in formats if f not in ("sitegen", "pelican", "hugo")]
    if unknown:
        parser.error(f"unknown format(s): {', '.join(unknown)}")
    records, tags = generate(args.posts, args.seed)
    out = args.out
    if "sitegen" in formats:
        write_sitegen(out, records, args.posts, args.seed)
    if "pelican" in formats:
        write_pelican(out.with_name(out.name + "-pelican"), records)
    if "hugo" in formats:
        write_hugo(out.with_name(out.name + "-hugo"), records)
    words = sum(int(r["words"]) for r in records)  # type: ignore[call-overload]
    used = len({t for r in records for t in r["tags"]})  # type: ignore[union-attr]
    print(f"{len(records)} posts ({words // len(records)} words on average), {used} tags "
          f"-> {out} ({', '.join(formats)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
