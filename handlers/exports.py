"""#导出 (and `classbot export`): the class record as XLSX or CSV, and the term archive (存档).

The file is written under `reports.export_dir`; where the platform can send files the bot
sends it, otherwise it says where it was written. What goes into it: services/export.py.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from pydantic import Field

from core.config import Term
from core.permissions import STAFF
from core.render import Renderer
from kit.context import PersonContext
from kit.router import Args, Router, private_command
from models import SchoolClass
from services import contact_log, export, keys
from services.export import FORMATS, Export
from services.outbox import Draft, Kind
from services.uow import UnitOfWork

log = logging.getLogger(__name__)
ARCHIVE_WORDS = ("存档", "归档", "archive")


class ExportArgs(Args):
    """Any order: `[班级] [学期] [xlsx|csv] [存档]`."""

    words: list[str] = Field(default_factory=list)
    fmt: str = "xlsx"
    archive: bool = False

    @classmethod
    def from_text(cls, rest: str) -> ExportArgs:
        words, fmt, archive = [], "xlsx", False
        for word in rest.split():
            if word.lower() in FORMATS:
                fmt = word.lower()
            elif word in ARCHIVE_WORDS:
                archive = True
            else:
                words.append(word)
        return cls(words=words, fmt=fmt, archive=archive)


async def prepare(uow: UnitOfWork, renderer: Renderer, school_class: SchoolClass,
                  term: Term | None) -> Export:
    """The export in the configured language, with the archive's texts rendered."""
    labels = renderer.env.get_template("export/_sheets.j2").module
    data = await export.collect(uow, school_class, term, vars(labels))
    by_key = {sheet.key: sheet for sheet in data.sheets}
    data.minutes_text = renderer.render("export/minutes_text", class_name=data.class_name,
                                        term=data.term, rows=by_key["minutes"].rows)
    data.updates_text = renderer.render("export/updates_text", class_name=data.class_name,
                                        term=data.term, rows=by_key["updates"].rows)
    return data


def target(base: Path, data: Export, fmt: str, archive: bool, stamp: str) -> Path:
    name = f"{data.class_name}-{data.term}-{stamp}"
    return base / (name if archive or fmt == "csv" else f"{name}.xlsx")


async def export_command(ctx: PersonContext, args: ExportArgs) -> None:
    classes = await contact_log.staff_classes(ctx.uow, ctx.person.id)
    named = [c for c in classes if c.name in args.words]
    rest = [w for w in args.words if w not in {c.name for c in named}]
    if (len(named) != 1 and len(classes) != 1) or len(rest) > 1:
        await ctx.reply("record/which_class", classes=[c.name for c in classes])
        return
    school_class = named[0] if named else classes[0]
    term = None
    if rest:
        term = contact_log.term_named(ctx.uow.config, rest[0])
        if term is None:
            await ctx.reply("export/unknown_term", name=rest[0],
                            terms=[t.name for t in ctx.uow.config.terms])
            return
    data = await prepare(ctx.uow, ctx.renderer, school_class, term)
    stamp = ctx.uow.now.strftime("%Y%m%d%H%M%S")
    out = target(Path(ctx.uow.config.reports.export_dir), data, args.fmt, args.archive, stamp)
    paths = await asyncio.to_thread(export.write, data, out, args.fmt, archive=args.archive)
    log.info("export of class %s written: %s file(s)", school_class.id, len(paths))
    sent = len(paths) == 1 and ctx.channel_capabilities.files
    await ctx.reply("export/written", class_name=data.class_name, term=data.term,
                    sheets=[s.title for s in data.sheets], archive=args.archive, sent=sent,
                    paths=[str(p) for p in paths])
    if sent:
        await ctx.send(Draft(chat=ctx.event.chat, text=paths[0].name, kind=Kind.REPLY,
                             file=str(paths[0]), class_id=school_class.id,
                             dedupe_key=keys.attachment(keys.on_demand("export", ctx.cause))))


router = Router(commands=(
    private_command("export", ("导出",), ("export",), export_command, ExportArgs, roles=STAFF),
))
