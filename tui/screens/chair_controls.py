"""The chair's controls on the run screen: which steers make sense now, and sending them
(pause, interject, ask a panelist, redirect, end the theme, approve or send back a review)."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.binding import Binding
from textual.screen import Screen

from orchestration.engine.protocol import DEBATERS
from orchestration.events import SteerKind
from tui.dialogs.ask_panelist import AskPanelist
from tui.dialogs.text_prompt import TextPrompt
from tui.run_view import RunView
from tui.session import Session

STEERING = {"interject", "ask", "redirect", "end_theme"}
DEBATING = ("brief", "opening", "critique", "rebuttal")
VERDICTS = {"approve", "send_back"}
CHAIR_KEYS = STEERING | VERDICTS | {"pause", "resume_run"}
STEER_NOTES: dict[str, str] = {
    "pause": "The debate pauses after the current turn (p resumes).",
    "resume": "The debate resumes.",
    "interject": "The next speaker answers you.",
    "ask": "{target} answers you next.",
    "redirect": "Added to the theme's focus: {text}",
    "end_theme": "The theme ends after this turn; the editor still writes its review.",
    "approve": "Review approved.",
    "send_back": "Sent back: the editor revises the review and the panel signs off again.",
}


class ChairControls(Screen[None]):
    """Mixed into ``RunScreen``: its session, view and whether its run is going on."""

    session: Session
    view: RunView
    _pause_requested: bool
    _verdict_sent: bool  # a verdict is on its way to the debate; one per hold

    @property
    def run_in_progress(self) -> bool:
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        live = self.session.is_live and self.run_in_progress
        theme = self.view.current_theme()
        if action == "pause":
            return live and (self.view.paused or (theme is not None and theme.state == "debating"))
        if action in STEERING:  # only while the panel is still arguing, before the review
            return live and theme is not None and theme.phase in DEBATING
        if action in VERDICTS:
            return (
                live and theme is not None and theme.state == "consensus" and not self._verdict_sent
            )
        if action == "resume_run":
            return not self.session.is_live and self.view.status in ("interrupted", "failed")
        if action in ("follow_up", "export"):
            return bool(self.view.run_id)
        return True

    def why_not(self, action: str) -> str:
        """Why the chair's key for ``action`` cannot act now, in one sentence."""
        if not (self.session.is_live and self.run_in_progress):
            if action == "resume_run":
                return "Only an interrupted or failed run can be resumed."
            return (
                "This run is not going on now, so it cannot be steered "
                "(R resumes an interrupted one)."
            )
        theme = self.view.current_theme()
        phase = theme.phase if theme else "waiting"
        if action in STEERING:
            return (
                f"The panel is not arguing now ({phase}): interject, ask, redirect and end work "
                "from the brief to the rebuttals."
            )
        if action in VERDICTS:
            return "No review is waiting for your approval now (a theme waits at ◆)."
        if action == "pause":
            return "Pause works while a theme is being debated."
        return "That key does nothing here now."

    def on_key(self, event: events.Key) -> None:
        """A chair's key that cannot act now says why, instead of doing nothing."""
        binding = next(
            (b for b in self.BINDINGS if isinstance(b, Binding) and event.key in b.key.split(",")),
            None,
        )
        if (
            binding is not None
            and binding.action in CHAIR_KEYS
            and not self.check_action(binding.action, ())
        ):
            self.notify(self.why_not(binding.action), severity="warning")
            event.stop()

    def _steer(
        self, kind: SteerKind, text: str = "", target: str | None = None, theme: str | None = None
    ) -> None:
        self.session.steer(kind, text, target, theme)
        note = STEER_NOTES[kind].format(target=target, text=text)
        if self.view.paused and kind not in ("pause", "resume"):
            note += " The debate is paused: it takes this when you resume (p)."
        self.notify(note)
        self.refresh_bindings()

    def _when_still(self, action: str, send: Callable[[], None]) -> None:
        """Send a steer typed in a dialog, unless the debate moved on while it was open."""
        if self.check_action(action, ()):
            send()
        else:
            self.notify(
                "The debate moved on while you were typing, so that was not sent.",
                severity="warning",
            )

    def _theme_id(self) -> str | None:
        theme = self.view.current_theme()
        return theme.id if theme else None

    def action_pause(self) -> None:
        self._pause_requested = not self._pause_requested
        self._steer("pause" if self._pause_requested else "resume")

    def _text_steer(self, kind: SteerKind, prompt: TextPrompt) -> None:
        theme = self._theme_id()

        def send(text: str | None) -> None:
            if text:
                self._when_still(kind, lambda: self._steer(kind, text, theme=theme))

        self.app.push_screen(prompt, send)

    def action_interject(self) -> None:
        self._text_steer(
            "interject",
            TextPrompt(
                "Interject as chair: the next speaker answers you.", "e.g. What about bank staff?"
            ),
        )

    def action_ask(self) -> None:
        theme = self._theme_id()

        def send(answer: tuple[str, str] | None) -> None:
            if answer:
                agent, question = answer
                self._when_still("ask", lambda: self._steer("ask", question, agent, theme))

        self.app.push_screen(
            AskPanelist("Ask one panelist directly: they answer next.", DEBATERS), send
        )

    def action_redirect(self) -> None:
        self._text_steer(
            "redirect",
            TextPrompt(
                "Redirect: add a focus or an objective to this theme.",
                "e.g. digital skills for community nurses",
            ),
        )

    def action_end_theme(self) -> None:
        self._steer("end_theme", theme=self._theme_id())

    def _verdict(self, kind: SteerKind, text: str = "") -> None:
        theme = self.view.current_theme()
        if theme is None:
            return
        self._verdict_sent = True
        self._steer(kind, text, theme=theme.id)

    def action_approve(self) -> None:
        self._verdict("approve")

    def action_send_back(self) -> None:
        def send(text: str | None) -> None:
            if text:
                self._when_still("send_back", lambda: self._verdict("send_back", text))

        self.app.push_screen(
            TextPrompt("Send the review back: what should the editor change?"), send
        )
