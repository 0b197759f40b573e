"""The debate as a scrolling list of entries, drawn line by line so long transcripts stay fast.

Only the lines on screen are drawn; each entry's wrapped lines are cached (for the most recently
drawn entries) per width and version, and the heights of the others are worked out, not drawn.
A cursor selects an entry (the evidence pane follows it); Enter expands a tool call, an evidence
pack or the brief. While the cursor is on the last entry the log follows new messages.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from agents.panel import SPECS
from orchestration.events import PHASE_TITLES
from tui.run_view import Entry

CHAIR_COLOUR = "cyan"
SELECTED = Style(bgcolor="grey23")
CACHED_ENTRIES = 2000  # drawn entries kept; a long transcript is never drawn whole


def agent_style(agent: str | None) -> str:
    if agent == "chair":
        return f"bold {CHAIR_COLOUR}"
    return f"bold {SPECS[agent].colour}" if agent in SPECS else "bold white"


def render_entry(entry: Entry, expanded: bool) -> RenderableType:
    """How one entry looks (before wrapping)."""
    if entry.kind == "phase":
        return Rule(Text(entry.text, style="bold"), align="left", style="dim")
    if entry.kind == "steer":
        return Text.assemble(("▶ ", agent_style("chair")), (entry.text, CHAIR_COLOUR))
    if entry.kind == "error":
        body = Text.assemble(("✖ ", "bold red"), (entry.text, "red"))
        return Group(body, Text(f"  {entry.detail}", style="dim red")) if expanded else body
    if entry.kind == "note":
        return Text(f"{entry.mark} {entry.text}", style="dim italic")
    if entry.kind == "tool":
        marker = "▾" if expanded else "▸"
        line = Text.assemble(
            (f"  {marker} ⚙ ", "dim"),
            (entry.agent or "", agent_style(entry.agent)),
            " ",
            no_wrap=not expanded,
            overflow="ellipsis",
        )
        line.append(entry.text, style="dim")
        return Group(line, _indented(Text(entry.detail, style="dim"), 6)) if expanded else line
    phase = PHASE_TITLES.get(entry.phase or "", entry.phase or "")
    header = Text.assemble(
        ("● ", agent_style(entry.agent)), (entry.agent or "", agent_style(entry.agent))
    )
    header.append(f"  {phase.lower()}", style="dim")
    if entry.streaming:
        header.append("  …", style="dim")
    parts: list[RenderableType] = [header]
    body = Text(entry.text.strip() or ("…" if entry.streaming else "(no reply)"))
    parts.append(_indented(body))
    if entry.detail:
        if expanded:
            parts.append(_indented(Text(entry.detail, style="dim")))
        else:
            parts.append(Text("  ▸ Enter to expand", style="dim"))
    if entry.evidence_ids and not entry.streaming:
        parts.append(_indented(Text(evidence_line(entry.evidence_ids), style="dim")))
    return Group(*parts)


def evidence_line(evidence_ids: list[str], shown: int = 4) -> str:
    more = len(evidence_ids) - shown
    return "evidence: " + ", ".join(evidence_ids[:shown]) + (f" +{more} more" if more > 0 else "")


def entry_height(entry: Entry, expanded: bool, width: int) -> int | None:
    """The lines ``render_entry`` takes at ``width``, worked out without rendering (None when
    only rendering can tell: expanded entries). Drawing corrects any small difference."""
    if expanded:
        return None
    if entry.kind in ("tool", "phase"):
        return 1
    if entry.kind in ("steer", "error", "note"):
        return wrapped_lines(f"xx{entry.text}", width)
    lines = 1 + wrapped_lines(entry.text.strip() or "…", width - 2)
    if entry.detail:
        lines += 1
    if entry.evidence_ids and not entry.streaming:
        lines += wrapped_lines(evidence_line(entry.evidence_ids), width - 2)
    return lines


def wrapped_lines(text: str, width: int) -> int:
    """Lines ``text`` takes when wrapped greedily at spaces (long words folded), as rich does."""
    total = 0
    width = max(1, width)
    for paragraph in text.split("\n"):
        lines, used = 1, 0
        for word in paragraph.split():
            size = cell_len(word)
            if used == 0:
                lines += (size - 1) // width
                used = (size - 1) % width + 1
            elif used + 1 + size <= width:
                used += 1 + size
            else:
                lines += 1 + (size - 1) // width
                used = (size - 1) % width + 1
        total += lines
    return total


def _indented(renderable: RenderableType, left: int = 2) -> RenderableType:
    return Padding(renderable, (0, 0, 0, left))


class DebateLog(ScrollView, can_focus=True):
    """Shows ``entries[i]`` for the indices given to ``show``; see the module docstring."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Previous", show=False),
        Binding("down,j", "cursor(1)", "Next", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "expand", "Expand", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
    ]

    class Selected(Message):
        """The cursor moved to an entry."""

        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, entries: list[Entry], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries = entries
        self.shown: list[int] = []
        self.filtered = False
        self.cursor: int | None = None
        self.expanded: set[int] = set()
        self._heights: list[int] = []
        self._offsets: list[int] = []
        self._cache: LRUCache[int, tuple[tuple[int, int, bool], list[Strip]]] = LRUCache(
            CACHED_ENTRIES
        )
        self._width = 0

    # --- what to show ----------------------------------------------------------------------
    def show(self, indices: list[int] | None = None, from_top: bool = False) -> None:
        """Show these entries (None: all of them, following new ones as they arrive), with the
        cursor where it was, else at the end (or at the top: ``from_top``)."""
        kept = self.selected_index
        following = self.cursor is None or self.cursor == len(self.shown) - 1
        self.filtered = indices is not None
        self.shown = list(indices) if indices is not None else list(range(len(self.entries)))
        self._relayout()
        if kept in self.shown and not following:  # stay where the reader is
            self.cursor = self.shown.index(kept)
            self._move_to(self.cursor)
        elif from_top:
            self.cursor = 0 if self.shown else None
            self.scroll_home(animate=False)
        else:
            self.cursor = len(self.shown) - 1 if self.shown else None
            self._follow()

    def sync(self) -> None:
        """Take in entries appended to the list and redraw entries that changed."""
        following = self.cursor is None or self.cursor == len(self.shown) - 1
        if not self.filtered and len(self.shown) < len(self.entries):
            self.shown.extend(range(len(self.shown), len(self.entries)))
        changed = any(
            self._cached_key(pos) != self._key(pos)
            for pos in range(max(0, len(self._heights) - 8), len(self._heights))
        )
        if len(self._heights) != len(self.shown) or changed:
            self._relayout(start=max(0, len(self._heights) - 8))
        if following and self.shown:
            self.cursor = len(self.shown) - 1
            self._follow()
        self.refresh()

    @property
    def selected(self) -> Entry | None:
        index = self.selected_index
        return self.entries[index] if index is not None else None

    @property
    def selected_index(self) -> int | None:
        """The index in ``entries`` of the entry under the cursor."""
        if self.cursor is None or self.cursor >= len(self.shown):
            return None
        return self.shown[self.cursor]

    # --- layout --------------------------------------------------------------------------------
    def _content_width(self) -> int:
        return max(20, self.scrollable_content_region.width or self.size.width or 80)

    def _key(self, pos: int) -> tuple[int, int, bool]:
        index = self.shown[pos]
        return (self.entries[index].version, self._width, index in self.expanded)

    def _cached_key(self, pos: int) -> tuple[int, int, bool] | None:
        cached = self._cache.get(self.shown[pos]) if pos < len(self.shown) else None
        return cached[0] if cached else None

    def _strips(self, pos: int) -> list[Strip]:
        index = self.shown[pos]
        key = self._key(pos)
        cached = self._cache.get(index)
        if cached is None or cached[0] != key:
            console = self.app.console
            options = console.options.update_width(self._width)
            lines = console.render_lines(
                render_entry(self.entries[index], index in self.expanded), options, pad=False
            )
            strips = [Strip(line).adjust_cell_length(self._width) for line in lines]
            cached = (key, strips or [Strip.blank(self._width)])
            self._cache.set(index, cached)
        return cached[1]

    def _height(self, pos: int) -> int:
        index = self.shown[pos]
        cached = self._cache.get(index)
        if cached is not None and cached[0] == self._key(pos):
            return len(cached[1])
        entry = self.entries[index]
        estimate = entry_height(entry, index in self.expanded, self._width)
        return estimate if estimate is not None else len(self._strips(pos))

    def _relayout(self, start: int = 0) -> None:
        """Heights from ``start`` on (worked out, not drawn), then every entry's first line."""
        width = self._content_width()
        if width != self._width:
            self._width, start = width, 0
        start = min(start, len(self._heights), len(self.shown))
        del self._heights[start:]
        self._heights.extend(self._height(pos) for pos in range(start, len(self.shown)))
        self._reoffset()

    def _reoffset(self) -> None:
        self._offsets = list(accumulate(self._heights, initial=0))[:-1]
        self.virtual_size = Size(self._width, sum(self._heights))
        self.refresh()

    def on_resize(self) -> None:
        if self._content_width() != self._width:
            self._relayout()
        if self.cursor is not None and self.cursor == len(self.shown) - 1:
            self._follow()

    # --- drawing -------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        line = scroll_y + y
        pos = bisect_right(self._offsets, line) - 1
        if pos < 0 or pos >= len(self._heights):
            return Strip.blank(self.size.width)
        strips = self._strips(pos)
        if len(strips) != self._heights[pos]:  # the worked-out height was off: correct it
            self._heights[pos] = len(strips)
            self._reoffset()
        row = line - self._offsets[pos]
        if row >= len(strips):  # below the last entry: empty, never the last line again
            return Strip.blank(self.size.width)
        strip = strips[row]
        if pos == self.cursor and self.has_focus:
            strip = strip.apply_style(SELECTED)
        return strip.crop(scroll_x, scroll_x + self.size.width)

    # --- moving around -------------------------------------------------------------------------
    def _move_to(self, pos: int) -> None:
        if not self.shown:
            return
        self.cursor = max(0, min(pos, len(self.shown) - 1))
        top = self._offsets[self.cursor]
        height = self._heights[self.cursor]
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False)
        elif top + height > self.scroll_y + self.size.height:
            self.scroll_to(y=max(top, top + height - self.size.height), animate=False)
        self.refresh()
        if self.selected is not None:
            self.post_message(self.Selected(self.selected))

    def _follow(self) -> None:
        self.scroll_to(y=max(0, self.virtual_size.height - self.size.height), animate=False)

    def action_cursor(self, step: int) -> None:
        self._move_to((self.cursor if self.cursor is not None else 0) + step)

    def action_page(self, step: int) -> None:
        """Scroll a screenful and put the cursor on the first entry that starts in view."""
        y = max(0, min(self.scroll_y + step * self.size.height, self.max_scroll_y))
        pos = bisect_right(self._offsets, y) - 1
        if pos >= 0 and self._offsets[pos] < y and pos + 1 < len(self.shown):
            pos += 1
        self.scroll_to(y=y, animate=False)
        if pos >= 0:
            self._move_to(pos)

    def action_first(self) -> None:
        self._move_to(0)

    def action_last(self) -> None:
        self._move_to(len(self.shown) - 1)

    def action_expand(self) -> None:
        if self.cursor is None:
            return
        index = self.shown[self.cursor]
        self.expanded.symmetric_difference_update({index})
        self._relayout(start=self.cursor)
        self._move_to(self.cursor)

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        pos = bisect_right(self._offsets, self.scroll_y + offset.y) - 1
        if 0 <= pos < len(self.shown):
            self.focus()
            self._move_to(pos)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
