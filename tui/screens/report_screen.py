"""The consensus report, per theme and for the whole strategy, rendered as Markdown, with its
claims listed alongside (choosing a claim goes back to the debate, narrowed to the messages and
passages behind it) and, collapsed below the report, the statements the claim checks set aside.
Once the run has finished the chair accepts, rejects (with a reason) or defers the recommendation
chosen in the claims list."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Collapsible, Footer, Header, Markdown, OptionList, Tab, Tabs
from textual.widgets.option_list import Option

from orchestration.plain_errors import plain_message
from orchestration.report.markdown import decision_text, render_markdown, theme_markdown
from orchestration.review_models import COMPUTED_LABEL, ChairVerdict, Claim, SetAside, ThemeReview
from tui.dialogs.text_prompt import TextPrompt
from tui.session import Session

WHOLE = "whole"


@dataclass
class ClaimJump:
    """A claim chosen in the report: its text, evidence ids and the quotes the report shows."""

    text: str
    evidence_ids: list[str]
    quotes: dict[str, str] = field(default_factory=dict)
    theme_id: str | None = None  # None: a whole-strategy priority, drawn from every theme


Listed = tuple[str, Claim, str | None]  # kind, the claim, its theme


KIND_LABELS = {"summary": "Summary ", "gap": "Gap ", "recommendation": "Rec "}


def claims_of(review: ThemeReview) -> list[Listed]:
    """Every checked statement of the review, in the report's order (``ThemeReview.claims``)."""
    return [(kind, claim, review.theme_id) for kind, claim in review.claims()]


class ReportScreen(Screen[ClaimJump | None]):
    CSS_PATH = "report_screen.tcss"
    BINDINGS = [
        Binding("escape,m", "close", "Debate"),
        Binding("s", "set_aside", "Set aside"),
        Binding("a", "decide('accepted')", "Accept"),
        Binding("r", "decide('rejected')", "Reject"),
        Binding("d", "decide('deferred')", "Defer"),
        Binding("left", "tab(-1)", "Previous theme", show=False),
        Binding("right", "tab(1)", "Next theme", show=False),
    ]

    def __init__(self, session: Session, theme_id: str | None = None) -> None:
        super().__init__()
        self.session = session
        view = self.view = session.view
        self.initial = theme_id if theme_id in view.themes else WHOLE
        self._claims: list[Listed] = []
        self._key = self.initial
        self._shown_progress: tuple[int, int, bool, int] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        tabs = [Tab("Whole strategy", id=WHOLE)]
        tabs += [Tab(theme.name, id=f"t-{theme.id}") for theme in self.view.themes.values()]
        yield Tabs(*tabs, active=WHOLE if self.initial == WHOLE else f"t-{self.initial}")
        with Horizontal(id="report-body"):
            yield OptionList(id="claims")
            with VerticalScroll(id="report-scroll"):
                yield Markdown(id="report")
                with Collapsible(id="set-aside", title="Set aside by the claim checks"):
                    yield Markdown(id="set-aside-list")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = f"Report · {self.view.title}"
        claims = self.query_one("#claims", OptionList)
        claims.border_title = "Claims (Enter: messages and passages)"
        claims.focus()  # Enter works on the first claim at once
        self._show(self.initial)
        self.set_interval(1.0, self._refresh_if_changed)  # a live run goes on underneath

    def _progress(self) -> tuple[int, int, bool, int]:
        """Changes when a review, a draft or the whole-strategy pass arrives."""
        view = self.view
        return (
            len(view.reviews),
            hash(tuple(view.drafts.values())),
            view.whole is not None,
            len(view.decisions),
        )

    def _refresh_if_changed(self) -> None:
        if self._progress() != self._shown_progress:
            self._show(self._key, keep_place=True)

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        tab_id = event.tab.id or WHOLE
        self._show(WHOLE if tab_id == WHOLE else tab_id.removeprefix("t-"))

    def _show(self, key: str, keep_place: bool = False) -> None:
        self._key, self._shown_progress = key, self._progress()
        markdown, claims = self._content(key)
        self.query_one("#report", Markdown).update(markdown)
        self._show_set_aside(key)
        self._claims = claims
        options = []
        decided = {d.recommendation: d for d in self.view.decisions}
        for kind, claim, _ in claims:
            ids = ", ".join(claim.evidence_ids) or "no evidence"
            origin = f" · {COMPUTED_LABEL}" if claim.origin == "computed" else ""
            decision = decided.get(claim.text) if kind == "recommendation" else None
            label = Text.assemble(
                (KIND_LABELS[kind], "bold"),
                claim.text,
                (f"\n  {ids}{origin}", "dim"),
                (f"\n  {decision_text(decision)}", "bold") if decision else "",
            )
            options.append(Option(label))
        claims_list = self.query_one("#claims", OptionList)
        claims_list.display = bool(options)  # an empty list would take a third of the screen
        was = claims_list.highlighted
        claims_list.set_options(options)
        if keep_place and was is not None and options:  # a live run added to the report
            claims_list.highlighted = min(was, len(options) - 1)  # the reader stays put
            return
        claims_list.highlighted = 0 if options else None
        self.query_one("#report-scroll").scroll_home(animate=False)

    def _content(self, key: str) -> tuple[str, list[Listed]]:
        view = self.view
        if key == WHOLE:
            if view.whole is None:
                done = [view.reviews[t] for t in view.themes if t in view.reviews]
                body = "\n\n".join(theme_markdown(r, n) for n, r in enumerate(done, 1))
                head = "# Report\n\n*The whole-strategy pass runs when every theme is reviewed.*"
                return f"{head}\n\n{body}", [c for r in done for c in claims_of(r)]
            markdown = render_markdown(
                view.decided_report() or view.whole, view.run_id, view.models
            )
            claims = [c for r in view.whole.themes for c in claims_of(r)]
            seen = {claim.text for _, claim, _ in claims}
            priorities: list[Listed] = [
                ("recommendation", p, None) for p in view.whole.priorities if p.text not in seen
            ]
            return markdown, claims + priorities
        if key in view.reviews:
            review = view.reviews[key]
            return theme_markdown(review, decisions=view.decisions), claims_of(review)
        theme = view.themes[key]
        if key in view.drafts:
            return (
                f"## {theme.name}\n\n*The editor's draft, awaiting sign-off or your approval "
                f"(back in the debate, y approves it and b sends it back):*\n\n"
                + "\n".join(f"- {line}" for line in view.drafts[key].splitlines() if line.strip()),
                [],
            )
        return f"## {theme.name}\n\n*Not reviewed yet ({theme.state}).*", []

    def _show_set_aside(self, key: str) -> None:
        reviews = (
            list(self.view.reviews.values())
            if key == WHOLE
            else ([self.view.reviews[key]] if key in self.view.reviews else [])
        )
        items = [(r.theme_name, s) for r in reviews for s in r.set_aside]
        box = self.query_one("#set-aside", Collapsible)
        box.title = f"Set aside by the claim checks ({len(items)})"
        box.display = bool(items)
        self.query_one("#set-aside-list", Markdown).update(set_aside_markdown(items))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        _, claim, theme_id = self._claims[event.option_index]
        quotes = {c.evidence_id: c.quote for c in claim.citations}
        self.dismiss(ClaimJump(claim.text, claim.evidence_ids, quotes, theme_id))

    def action_set_aside(self) -> None:
        """Open (or close) the list of statements the claim checks set aside, and go to it."""
        box = self.query_one("#set-aside", Collapsible)
        if not box.display:
            self.notify("Nothing here was set aside by the claim checks.")
            return
        box.collapsed = not box.collapsed
        if not box.collapsed:
            self.query_one("#report-scroll").scroll_to_widget(box, top=True, animate=False)

    def action_decide(self, verdict: ChairVerdict) -> None:
        """Accept, reject or defer the recommendation chosen in the claims list."""
        chosen = self._chosen_recommendation()
        if chosen is None:
            return
        theme_id, number, text = chosen
        if verdict != "rejected":
            self.run_worker(self._decide(theme_id, number, verdict, ""), group="decide")
            return

        def with_reason(reason: str | None) -> None:
            if reason:
                self.run_worker(self._decide(theme_id, number, verdict, reason), group="decide")

        self.app.push_screen(
            TextPrompt(f"Reject “{_clip(text, 44)}”: why?", "the reason, for the report"),
            with_reason,
        )

    def _chosen_recommendation(self) -> tuple[str, int, str] | None:
        """The theme, number and text of the recommendation chosen, or None (with a notice)."""
        if self.view.whole is None or self.view.status != "complete":
            self.notify("Decide on recommendations once the run has finished.", severity="warning")
            return None
        index = self.query_one("#claims", OptionList).highlighted
        kind, claim, _ = (
            self._claims[index] if index is not None and self._claims else ("", None, None)
        )
        if kind != "recommendation" or claim is None:
            self.notify("Choose a recommendation in the claims list first.", severity="warning")
            return None
        for theme in self.view.whole.themes:
            for number, rec in enumerate(theme.recommendations, start=1):
                if rec.text == claim.text:
                    return theme.theme_id, number, rec.text
        self.notify("This recommendation is not in any theme's review.", severity="warning")
        return None

    async def _decide(self, theme_id: str, number: int, verdict: ChairVerdict, reason: str) -> None:
        try:
            await self.session.decide(theme_id, number, verdict, reason)
        except (ValueError, OSError) as exc:
            self.notify(f"Not recorded: {plain_message(exc)}", severity="error", timeout=12)
            return
        self.notify(f"Recommendation {verdict}; the report is updated.")
        self._show(self._key, keep_place=True)

    def action_tab(self, step: int) -> None:
        tabs = self.query_one(Tabs)
        (tabs.action_next_tab if step > 0 else tabs.action_previous_tab)()

    def action_close(self) -> None:
        self.dismiss(None)


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def set_aside_markdown(items: list[tuple[str, SetAside]]) -> str:
    """The set-aside statements as a list: what each was, who wrote it, and why it is out."""
    lines = []
    for theme, item in items:
        text = item.text.replace("[", "\\[").replace("\n", " ")
        lines.append(f"- **{theme} · {item.where} · {item.agent}:** {text}")
        lines.append(f"    - *Set aside: {'; '.join(item.reasons)}.*")
    return "\n".join(lines)
