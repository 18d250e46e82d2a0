"""A tiny element collector over ``html.parser`` for report tests: every element with its attributes and the text
inside it (descendants included), so tests can ask "the rows of #rule-table" without a DOM library."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset({"meta", "link", "br", "img", "input", "hr", "col", "source", "wbr", "area", "base", "embed"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None
    text_parts: list[str] = field(default_factory=list)

    @property
    def raw_text(self) -> str:
        return "".join(self.text_parts)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def within(self, other: Element) -> bool:
        node = self.parent
        while node is not None:
            if node is other:
                return True
            node = node.parent
        return False


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.stack: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.stack[-1] if self.stack else None)
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element.text_parts.append(data)


def parse(html: str) -> list[Element]:
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector.elements


def by_id(elements: list[Element], element_id: str) -> Element:
    [found] = [e for e in elements if e.attrs.get("id") == element_id]
    return found


def select(
    elements: list[Element], tag: str, *, cls: str | None = None, inside: Element | None = None
) -> list[Element]:
    return [
        e
        for e in elements
        if e.tag == tag and (cls is None or cls in e.classes) and (inside is None or e.within(inside))
    ]
