"""The building blocks of *900# menus: screens are data (a node per screen), transitions are node names."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from ussd.gsm import screen_fits

MSG_BAD_CHOICE = _("Неверный выбор.")


@dataclass
class Ctx:
    """What a node may read: who dials, the wallet (None before registration), collected data and the
    inputs of this request (secret inputs are read from here, never from the stored state)."""

    session_id: str
    phone: Any  # wallet.phone.KgPhone
    wallet: Any  # wallet.models.Wallet | None
    data: dict
    inputs: list[str]
    index: int  # position in `inputs` of the answer being handled
    nonce: str = ""  # names this session's payments (a reused sessionId gets a new one)

    def answer_at(self, key: str) -> str:
        """An earlier answer, read again from the gateway's text by the position stored under `key`: the session
        store keeps where an answer stands, never what was typed (a PIN typed where an amount was expected
        must not end up in it either)."""
        position = self.data.get(key)
        if position is None or position >= len(self.inputs):
            return ""
        return self.inputs[position].strip()


@dataclass
class Option:
    key: str
    label: Any  # str or lazy str
    next: str
    data: dict = field(default_factory=dict)


@dataclass
class Goto:
    node: str
    error: Any = None  # shown above the next screen (e.g. "PIN не совпадает." before asking again)


@dataclass
class Retry:
    """Ask the same screen again, with this message above it."""

    error: Any


@dataclass
class Finish:
    """End the session with this text (END)."""

    text: Any


Step = Goto | Retry | Finish


@dataclass
class Menu:
    """A numbered list. `options` is a list, or a function of the context (menus built from the catalog)."""

    title: Any
    options: list[Option] | Callable[[Ctx], list[Option]]
    back: bool = True
    option_format: str = "{key} {label}"
    guard: Callable[[Ctx], Any] | None = None  # may end the session (Finish) before the menu is shown

    def option_lines(self, ctx: Ctx) -> list[str]:
        return [self.option_format.format(key=o.key, label=o.label) for o in self.option_list(ctx)]

    def option_list(self, ctx: Ctx) -> list[Option]:
        return self.options(ctx) if callable(self.options) else self.options

    def answer(self, ctx: Ctx, raw: str) -> Step:
        for option in self.option_list(ctx):
            if raw == option.key:
                ctx.data.update(option.data)
                return Goto(option.next)
        return Retry(MSG_BAD_CHOICE)

    def prompt(self, ctx: Ctx) -> str:
        return str(self.title(ctx) if callable(self.title) else self.title)


@dataclass
class Input:
    """A free-text question. `handle(ctx, raw)` validates and stores (never a secret) and returns the step."""

    text: Any  # str, lazy str, or a function of the context
    handle: Callable[[Ctx, str], Step]
    back: bool = True
    retry_text: Any = None  # a shorter question for when an error message and `text` do not fit together
    guard: Callable[[Ctx], Any] | None = None  # may end the session (Finish) before the question is asked

    def answer(self, ctx: Ctx, raw: str) -> Step:
        return self.handle(ctx, raw)

    def prompt(self, ctx: Ctx) -> str:
        return str(self.text(ctx) if callable(self.text) else self.text)

    def screen(self, ctx: Ctx, error: str = "") -> str:
        prompt = self.prompt(ctx)
        if not error:
            return prompt

        text = f"{error}\n{prompt}"
        return text if screen_fits(text) or self.retry_text is None else f"{error}\n{self.retry_text}"
