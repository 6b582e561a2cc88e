"""Jinja2 message templates: every user-visible sentence lives in templates/, zh_CN first."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined

WEEKDAYS_ZH = "一二三四五六日"


def local_time(value: datetime, tz: str, style: str = "short") -> str:
    """Format a UTC instant in the class's time zone; styles keep wording consistent."""
    local = value.astimezone(ZoneInfo(tz))
    if style == "time":
        return local.strftime("%H:%M")
    if style == "date":
        return f"{local.month}月{local.day}日（周{WEEKDAYS_ZH[local.weekday()]}）"
    if style == "iso":
        return local.strftime("%Y-%m-%d %H:%M")
    return f"{local.month}月{local.day}日 {local.strftime('%H:%M')}"


class Renderer:
    def __init__(self, language: str = "zh_CN", **globals_: object) -> None:
        loaders = [PackageLoader("templates", language)]
        if language != "zh_CN":
            loaders.append(PackageLoader("templates", "zh_CN"))
        self.language = language
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            autoescape=False,  # plain text; escaping is each channel's job at send time
            trim_blocks=True,
            lstrip_blocks=True,
            # Templates ship with the code: compiled once per process, never checked again
            # (with reloading on, every render stat()ed the template and each one it imports:
            # a tenth of the weekly burst's rendering, issue 14).
            auto_reload=False,
        )
        self.env.filters["local"] = local_time
        self.env.globals.update(globals_)  # bot_name, school_name: the same in every message

        self._kept: dict[tuple[str, Hashable], str] = {}

    def render(self, name: str, /, **values: object) -> str:
        return self.env.get_template(f"{name}.txt.j2").render(**values).strip()

    def render_kept(self, name: str, key: Hashable, /, **values: object) -> str:
        """`render`, kept for a text that `key` alone decides (#帮助 for a set of roles is the
        same text every time; rendering it was a third of a private #帮助's round trip)."""
        found = self._kept.get((name, key))
        if found is None:
            found = self._kept[(name, key)] = self.render(name, **values)
        return found
