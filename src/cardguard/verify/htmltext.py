"""What an HTML body says and where its links really go, without rendering or fetching anything."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_SKIP = {"script", "style", "head", "title", "template", "noscript"}
_BLOCK = {"p", "div", "br", "tr", "li", "table", "h1", "h2", "h3", "h4", "h5", "h6", "td", "section", "article"}
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")\s]+)", re.IGNORECASE)


@dataclass
class HtmlContent:
    text: str = ""
    anchors: list[tuple[str, str]] = field(default_factory=list)  # (href, visible text)
    forms: list[str] = field(default_factory=list)  # form actions
    remote: list[str] = field(default_factory=list)  # images, stylesheets, CSS url(): what a renderer would fetch
    scripts: int = 0
    event_handlers: int = 0
    refresh: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = HtmlContent()
        self.chunks: list[str] = []
        self.skip_depth = 0
        self.anchor: tuple[str, list[str]] | None = None
        self.in_style = 0

    def handle_starttag(self, tag, attrs):
        attrs = {name.lower(): (value or "") for name, value in attrs}
        self.out.event_handlers += sum(1 for name in attrs if name.startswith("on"))
        for name in ("style",):
            self.out.remote += _CSS_URL.findall(attrs.get(name, ""))
        if tag in _SKIP:
            self.skip_depth += 1
            self.in_style += tag == "style"
            if tag == "script":
                self.out.scripts += 1
                if attrs.get("src"):
                    self.out.remote.append(attrs["src"])
            return
        if tag in _BLOCK:
            self.chunks.append("\n")
        if tag in ("a", "area") and attrs.get("href"):
            if tag == "area":
                self.out.anchors.append((attrs["href"], attrs.get("alt", "")))
            else:
                self.anchor = (attrs["href"], [])
        elif tag == "form":
            self.out.forms.append(attrs.get("action", ""))
        elif tag in ("img", "image", "input", "video", "audio", "source", "embed", "iframe", "frame", "object"):
            for name in ("src", "data", "poster", "background", "srcset"):
                if attrs.get(name):
                    self.out.remote.append(attrs[name].split()[0])
        elif tag == "link" and attrs.get("href"):
            self.out.remote.append(attrs["href"])
        elif tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            found = re.search(r"url\s*=\s*['\"]?([^'\"]+)", attrs.get("content", ""), re.IGNORECASE)
            if found:
                self.out.refresh.append(found.group(1).strip())
        if attrs.get("background"):
            self.out.remote.append(attrs["background"])

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            if tag == "style":
                self.in_style = max(0, self.in_style - 1)
            return
        if tag == "a" and self.anchor:
            href, words = self.anchor
            self.out.anchors.append((href, " ".join("".join(words).split())))
            self.anchor = None
        if tag in _BLOCK:
            self.chunks.append("\n")

    def handle_data(self, data):
        if self.skip_depth:
            if self.in_style:
                self.out.remote += _CSS_URL.findall(data)
            return
        self.chunks.append(data)
        if self.anchor:
            self.anchor[1].append(data)


def read_html(markup: str) -> HtmlContent:
    reader = _Reader()
    try:
        reader.feed(markup)
        reader.close()
    except Exception:  # noqa: BLE001 - malformed markup: keep what was read so far
        pass
    if reader.anchor:
        href, words = reader.anchor
        reader.out.anchors.append((href, " ".join("".join(words).split())))
    text = "".join(reader.chunks)
    reader.out.text = re.sub(r"\n\s*\n+", "\n", re.sub(r"[ \t\u3000]+", " ", text)).strip()
    return reader.out
