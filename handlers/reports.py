"""#月报 and the monthly report job (每月沟通效果评估).

On the first school day of each month the head teacher gets last month's report privately,
with a chart of the read rate per notice as a picture where the platform can send files; the
principals get every class, one line each, what needs attention first. `#月报` shows the
current month so far (a principal: every class).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from core.permissions import PRINCIPAL, STAFF
from handlers.record import pick_class
from kit.context import Messenger, PersonContext
from kit.router import Args, Router, private_command
from models import ScheduledJob, SchoolClass
from services import charts, keys, membership, monthly, roster
from services.charts import Bar
from services.outbox import Draft, Kind
from services.reach import private_chat_of
from services.reports import ClassReport, Month, build, local_today

log = logging.getLogger(__name__)


async def _chart(m: Messenger, report: ClassReport, school_class: SchoolClass) -> Path | None:
    """The read-rate chart as a PNG under reports.export_dir (None without notices)."""
    if not report.notices:
        return None
    path = (Path(m.uow.config.reports.export_dir) / "reports"
            / f"{school_class.name}-{report.month.label}.png")
    bars = [Bar(f"#{n.number} {n.title[:8]}", n.first_day_rate, n.final_rate)
            for n in report.notices]
    return await asyncio.to_thread(
        charts.read_rate_chart, bars, path,
        title=m.render("reports/chart_title", class_name=school_class.name,
                       month=report.month.label),
        first_label=m.render("reports/chart_first_day"),
        final_label=m.render("reports/chart_final"), axis_label=m.render("reports/chart_axis"))


async def _deliver(m: Messenger, person_id: int, text: str, chart: Path | None, *, key: str,
                   class_id: int | None) -> bool:
    """The report privately, and the chart as a picture where the channel sends files."""
    chat = await private_chat_of(m.uow, person_id)
    if chat is None:
        log.warning("monthly report %s: no private chat for person %s", key, person_id)
        return False
    await m.send(Draft(chat=chat, text=text, kind=Kind.RELAY, class_id=class_id,
                       dedupe_key=keys.to_person(key, person_id)))
    caps = m.capabilities.get(chat.channel)
    if chart is not None and caps is not None and caps.files:
        await m.send(Draft(chat=chat, text=m.render("reports/chart_caption"), kind=Kind.RELAY,
                           class_id=class_id, file=str(chart),
                           dedupe_key=keys.to_person(keys.attachment(key), person_id)))
    return True


async def _school(m: Messenger, month: Month) -> list[ClassReport]:
    reports = [await build(m.uow, c, month) for c in await roster.all_classes(m.uow)]
    return sorted(reports, key=lambda r: r.score)


async def on_demand(ctx: PersonContext, _args: Args) -> None:
    if PRINCIPAL in ctx.roles and not ctx.roles & STAFF:
        month = Month.of(local_today(ctx.uow, ctx.uow.config.timezone))
        await ctx.reply("reports/school", reports=await _school(ctx, month), month=month)
        return
    school_class = await pick_class(ctx, None)
    if school_class is None:
        return
    month = Month.of(local_today(ctx.uow, school_class.timezone))
    report = await build(ctx.uow, school_class, month)
    await ctx.reply("reports/class", report=report, tz=school_class.timezone)
    chart = await _chart(ctx, report, school_class) if ctx.channel_capabilities.files else None
    if chart is not None:
        await ctx.send(Draft(chat=ctx.event.chat, text=ctx.render("reports/chart_caption"),
                             kind=Kind.REPLY, file=str(chart), class_id=school_class.id,
                             dedupe_key=keys.attachment(keys.on_demand("report", ctx.cause))))


async def monthly_job(m: Messenger, job: ScheduledJob) -> None:
    """Last month's report for the class's head teacher; the principals' overview rides on
    the first class's job of the month (one key per month, so it goes once)."""
    school_class = await roster.class_of_id(m.uow, job.class_id or 0)
    if school_class is None:
        return
    await monthly.ensure_scheduled(m.uow, school_class)
    month = Month.of(local_today(m.uow, school_class.timezone)).previous()
    report = await build(m.uow, school_class, month)
    files = any(caps.files for caps in m.capabilities.values())
    chart = await _chart(m, report, school_class) if files else None
    text = m.render("reports/class", report=report, tz=school_class.timezone)
    for head in await membership.head_teachers(m.uow, school_class.id):
        await _deliver(m, head.id, text, chart, key=job.dedupe_key, class_id=school_class.id)
    principals = await membership.people_with_school_role(m.uow, PRINCIPAL)
    if principals:
        overview = m.render("reports/school", reports=await _school(m, month), month=month)
        for person in principals:
            await _deliver(m, person.id, overview, None, class_id=None,
                           key=keys.monthly_report(0, month.label))


router = Router(
    commands=(private_command("monthly_report", ("月报",), ("report",), on_demand,
                              roles=STAFF | {PRINCIPAL}),),
    jobs={monthly.REPORT_JOB: monthly_job},
)
