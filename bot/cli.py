"""The `classbot` command: run, demo, check-config, class add."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from bot import logs
from bot.app import ClassBot
from bot.channel_factories import FACTORIES, build_channels
from bot.channels.console import ConsoleChannel
from bot.transcript import TranscriptRunner, replay_start, transcript_lines
from core.channel import Channel, ChannelUnavailable, ConnectingChannel
from core.clock import SimulatedClock, SystemClock
from core.config import ClassSeed, Config, ConfigError, PersonSeed, load_config
from core.render import Renderer

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from services.seeding import ClassAdded
    from services.uow import UnitOfWork

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="classbot — 家长群班级助手 (class parent-group assistant)")
class_app = typer.Typer(help="管理班级 / manage classes")
app.add_typer(class_app, name="class")
db_app = typer.Typer(help="数据库结构（迁移）/ database schema (migrations)")
app.add_typer(db_app, name="db")

ConfigOption = Annotated[Path | None, typer.Option("--config", "-c",
                         help="config.yaml（默认：当前目录下的 config.yaml）")]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="打印运行日志到 stderr")]
LogFormatOption = Annotated[str, typer.Option(
    "--log-format", help="text（默认）或 json：每行一个 JSON 对象 / one JSON object per line")]


def _write(line: str) -> None:
    print(line, flush=True)


def _setup_logging(verbose: bool, log_format: str = "text") -> None:
    if log_format not in ("text", "json"):
        print(f"--log-format {log_format!r}: text 或 json / text or json", file=sys.stderr)
        raise typer.Exit(2)
    logs.setup(verbose, log_format)  # type: ignore[arg-type]


def _load(path: Path | None) -> Config:
    if path is None and Path("config.yaml").exists():
        path = Path("config.yaml")
    try:
        return load_config(path)
    except ConfigError as exc:
        print(Renderer().render("common/config_error", path=exc.path, problems=exc.problems),
              file=sys.stderr)
        raise typer.Exit(2) from None


async def _replay(config: Config, lines: list[str], base_dir: Path | None = None) -> None:
    clock = SimulatedClock(replay_start(lines, config.timezone))
    console = ConsoleChannel(config.bot_name, _write)
    bot = ClassBot(config, [console], clock)
    await bot.start(background=False)
    try:
        from services.health import has_history  # lazy like every CLI command's services

        if await has_history(bot.db):
            print(Renderer(config.language).render("console/replay_continues",
                                                   driver=config.database_url.split("://")[0]),
                  file=sys.stderr)
        runner = TranscriptRunner(bot, console, clock, _write, base_dir=base_dir)
        for number, line in enumerate(lines, 1):
            await runner.feed(line, number)
    finally:
        await bot.stop()


async def _interactive(config: Config) -> None:
    # Interactive: real time, flowing, until the user sets `:time`.
    clock = SimulatedClock(SystemClock().now(), flowing=True)
    console = ConsoleChannel(config.bot_name, _write)
    bot = ClassBot(config, [console], clock)
    await bot.start(background=True)
    _write(bot.renderer.render("console/welcome"))
    runner = TranscriptRunner(bot, console, clock, _write)
    try:
        while True:
            try:
                line = await asyncio.to_thread(input, "> ")
            except EOFError:
                break
            if line.strip() in (":quit", ":q", ":exit"):
                break
            await runner.feed(line)
    finally:
        await bot.stop()


def _unavailable(exc: ChannelUnavailable) -> NoReturn:
    """Say why a channel cannot run and how to fix it (exit 2, no traceback)."""
    if exc.reason in ("extra_missing", "extra_broken"):
        template = f"console/{exc.reason}"
    elif exc.reason == "unsupported":
        template = "console/unsupported_channel"
    else:  # Telegram: no_token, no_webhook_url, rejected, unreachable
        template = "channels/start_problem"
    print(Renderer().render(template, channel=exc.channel, detail=exc.detail,
                            problem=exc.reason, available=sorted(FACTORIES)), file=sys.stderr)
    raise typer.Exit(2)


def _channels(config: Config) -> list[Channel]:
    """Build the configured channels, or say what is missing (exit 2, no traceback)."""
    try:
        return build_channels(config, os.environ, _write)
    except ConfigError as exc:
        print(Renderer().render("common/config_error", path=exc.path, problems=exc.problems),
              file=sys.stderr)
    except ChannelUnavailable as exc:
        _unavailable(exc)
    raise typer.Exit(2)


async def _serve(config: Config, channels: list[Channel]) -> None:
    """Run on platform channels until SIGINT/SIGTERM."""
    bot = ClassBot(config, channels, SystemClock())
    try:
        await bot.start(background=True)
    except ChannelUnavailable:  # found only when connecting (a token Telegram rejects)
        await bot.stop()
        raise
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        if await _logged_in(bot, channels, stop):
            print(bot.renderer.render("console/serving", channels=[
                c.name for c in channels if c.name != "console"]), file=sys.stderr)
        await stop.wait()
    finally:
        await bot.stop()


async def _logged_in(bot: ClassBot, channels: list[Channel], stop: asyncio.Event) -> bool:
    """Until every channel that connects in the background (the WeChat gateway) is logged
    in; False if told to stop first. Running is not claimed before: a wrong token keeps the
    channel retrying, with the gateway's own reason on stderr, never "running"."""
    connecting = [c for c in channels if isinstance(c, ConnectingChannel)]
    if not connecting:
        return True
    print(bot.renderer.render("console/connecting", channels=[c.name for c in connecting]),
          file=sys.stderr)
    ready = asyncio.ensure_future(asyncio.gather(*(c.wait_ready() for c in connecting)))
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait([ready, stopping], return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in (ready, stopping):
            waiter.cancel()
    return not stop.is_set()


@app.command()
def run(config: ConfigOption = None,
        script: Annotated[Path | None, typer.Option("--script", "-s",
                          help="回放脚本文件（每行：说话人 @ 群名: 内容）")] = None,
        fresh: Annotated[bool, typer.Option(
            "--fresh", help="回放用一个临时的空数据库（不动配置里的数据库）")] = False,
        verbose: VerboseOption = False, log_format: LogFormatOption = "text") -> None:
    """启动机器人（默认在控制台）。Start the bot on the channels in config."""
    _setup_logging(verbose, log_format)
    settings = _load(config)
    if fresh:
        with tempfile.TemporaryDirectory(prefix="classbot-replay-") as tmp:
            url = f"sqlite:///{tmp}/replay.db"
            _start(settings.model_copy(update={"database_url": url}), script)
        return
    _start(settings, script)


def _start(settings: Config, script: Path | None) -> None:
    channels = _channels(settings)
    if any(not isinstance(c, ConsoleChannel) for c in channels):
        try:
            asyncio.run(_serve(settings, channels))
        except ChannelUnavailable as exc:
            _unavailable(exc)
    elif script is not None:
        try:
            lines = transcript_lines(script.read_text(encoding="utf-8"))
        except OSError as exc:
            print(f"无法读取脚本 {script}：{exc.strerror}", file=sys.stderr)
            raise typer.Exit(2) from None
        asyncio.run(_replay(settings, lines, script.parent))
    elif not sys.stdin.isatty():
        asyncio.run(_replay(settings, transcript_lines(sys.stdin.read())))
    else:
        asyncio.run(_interactive(settings))


@app.command()
def demo(verbose: VerboseOption = False) -> None:
    """回放内置演示脚本（默认用临时数据库；设置了 CLASSBOT_DATABASE_URL 时用它）。
    Replay the built-in demo (on a temporary database unless CLASSBOT_DATABASE_URL is set)."""
    _setup_logging(verbose)
    demo_dir = resources.files("bot") / "demo"
    lines = transcript_lines((demo_dir / "demo.txt").read_text(encoding="utf-8"))
    # The demo's settings go through load_config like every command's, so the environment's
    # CLASSBOT_DATABASE_URL is honoured (it used to be overwritten with a temporary SQLite file,
    # and a demo "on PostgreSQL" silently ran on SQLite).
    with resources.as_file(demo_dir / "config.yaml") as path, \
            tempfile.TemporaryDirectory(prefix="classbot-demo-") as tmp:
        env = dict(os.environ)
        if not env.get("CLASSBOT_DATABASE_URL"):
            env["CLASSBOT_DATABASE_URL"] = f"sqlite:///{tmp}/demo.db"
        try:
            settings = load_config(path, env)
        except ConfigError as exc:
            print(Renderer().render("common/config_error", path=exc.path, problems=exc.problems),
                  file=sys.stderr)
            raise typer.Exit(2) from None
        asyncio.run(_replay(settings, lines))


@app.command("check-config")
def check_config(config: ConfigOption = None) -> None:
    """检查配置文件。Validate config.yaml and print what it sets up."""
    settings = _load(config)
    _channels(settings)
    print(f"OK: {settings.school_name}，{len(settings.classes)} 个班级，"
          f"渠道 {', '.join(settings.channels)}，数据库 {settings.database_url.split('://')[0]}")


@class_app.command("add")
def class_add(
    name: Annotated[str, typer.Argument(help="班级名，例如 三年级二班")],
    head_teacher: Annotated[str, typer.Option("--head-teacher", help="班主任称呼，例如 王老师")],
    roster: Annotated[str, typer.Option(help="学生名单，用逗号分隔：李明,张华")] = "",
    account: Annotated[list[str] | None, typer.Option(
        "--id", help="班主任的平台账号，格式 渠道:账号，例如 telegram:12345")] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="班级已有另一位班主任时，换成这一位（原班主任改为任课老师）")] = False,
    config: ConfigOption = None,
) -> None:
    """创建班级（或补充名单）。Create a class or add to its roster."""
    settings = _load(config)
    ids: dict[str, str] = {}
    for item in account or []:
        channel, sep, external = item.partition(":")
        if not sep or channel not in ("console", "telegram", "wechat") or not external:
            print(f"--id {item!r} 格式不对：应为 渠道:账号，渠道是 console、telegram 或 wechat",
                  file=sys.stderr)
            raise typer.Exit(2)
        ids[channel] = external
    names = [n.strip() for n in roster.replace("，", ",").split(",") if n.strip()]
    seed = ClassSeed(name=name, head_teacher=PersonSeed(name=head_teacher, ids=ids),  # type: ignore[arg-type]
                     roster=names)

    async def add() -> ClassAdded:
        from services import seeding

        async with _uow(settings) as uow:
            return await seeding.add_class(uow, seed, settings.timezone,
                                           list(settings.channels), replace=replace)

    result = asyncio.run(add())
    if result.refused_by:
        print(f"「{name}」已有班主任 {'、'.join(result.refused_by)}，没有改动。"
              f"要换成 {head_teacher}，请加 --replace"
              f"（或由现任班主任在群里发送 #移交 {head_teacher}）。", file=sys.stderr)
        raise typer.Exit(1)
    print(f"{'已创建' if result.created else '已更新'}班级「{name}」：班主任 {head_teacher}。")
    if result.replaced:
        print(f"原班主任 {'、'.join(result.replaced)} 已改为本班任课老师。")
    if result.added:
        print(f"名单新增 {len(result.added)} 人：{'、'.join(result.added)}")
    if result.marked:
        print(f"同名学生已加编号：{'、'.join(result.marked)}（家长登记时请写带编号的名字）")
    if result.already:
        print(f"已在名单上：{'、'.join(result.already)}")
    print(f"请班主任在班级群里发送：#绑定 {name}")


@app.command("forget")
def forget_person(
    person: Annotated[str, typer.Option(
        "--person", help="要删除的人：称呼（如 李明妈妈）或 #编号")],
    yes: Annotated[bool, typer.Option("--yes", help="不再询问，直接删除")] = False,
    config: ConfigOption = None,
) -> None:
    """按要求删除一个人的数据（登记、账号、写的内容）。Delete a person's data on request."""
    settings = _load(config)

    async def find() -> list[tuple[int, str]]:
        async with _uow(settings) as uow:
            from services import forget
            return [(p.id, p.display_name) for p in await forget.people_named(uow, person)]

    found = asyncio.run(find())
    if not found:
        print(f"没有找到「{person}」。", file=sys.stderr)
        raise typer.Exit(1)
    if len(found) > 1:
        print(f"「{person}」有 {len(found)} 人，请用编号：" + "、".join(
            f"#{pid} {name}" for pid, name in found), file=sys.stderr)
        raise typer.Exit(1)
    if not yes and not typer.confirm(f"删除 {found[0][1]} 的数据？此操作不能撤销", default=False):
        raise typer.Exit(1)

    async def delete() -> dict[str, int]:
        async with _uow(settings) as uow:
            from services import forget
            return dict(await forget.forget_person(uow, found[0][0], by="cli", class_id=None))

    counts = asyncio.run(delete())
    print(f"已删除 #{found[0][0]} 的数据：登记 {counts.get('registrations', 0)} 条，账号 "
          f"{counts.get('accounts', 0)} 个，来信 {counts.get('letters', 0)} 封。已写入审计记录。")


@contextlib.asynccontextmanager
async def _uow(settings: Config) -> AsyncIterator[UnitOfWork]:
    """One unit of work on the configured database, for a command-line change."""
    from core.clock import SystemClock
    from models import Database
    from models.migrate import upgrade
    from services.uow import UnitOfWork

    db = Database(settings.database_url)
    await upgrade(db)
    try:
        async with UnitOfWork(db, SystemClock(), settings) as uow:
            yield uow
    finally:
        await db.dispose()


@app.command("export")
def export_record(
    class_name: Annotated[str, typer.Option("--class", help="班级名，例如 三年级二班")],
    out: Annotated[Path, typer.Option("--out", help="XLSX 文件；csv 或 --archive 时为文件夹")],
    fmt: Annotated[str, typer.Option("--format", help="xlsx 或 csv")] = "xlsx",
    term: Annotated[str | None, typer.Option(
        "--term", help="学期，例如 2026秋（默认：全部）")] = None,
    archive: Annotated[bool, typer.Option("--archive",
                                          help="学期存档：另附会议纪要和班级动态全文")] = False,
    config: ConfigOption = None,
) -> None:
    """导出班级记录（通知、家长会、纪要、信箱、家访、动态）。Export a class's record."""
    from handlers.exports import prepare
    from models import Database
    from models.migrate import upgrade
    from services import contact_log, export, roster
    from services.uow import UnitOfWork

    settings = _load(config)
    if fmt not in export.FORMATS:
        print(f"--format {fmt!r}：应为 xlsx 或 csv", file=sys.stderr)
        raise typer.Exit(2)
    chosen = contact_log.term_named(settings, term) if term else None
    if term and chosen is None:
        print(f"--term {term!r}：不认识的学期（例如 2026秋、2027春）", file=sys.stderr)
        raise typer.Exit(2)

    async def run_export() -> list[Path] | None:
        db = Database(settings.database_url)
        await upgrade(db)
        try:
            async with UnitOfWork(db, SystemClock(), settings) as uow:
                school_class = await roster.class_named(uow, class_name)
                if school_class is None:
                    return None
                data = await prepare(uow, Renderer(settings.language), school_class, chosen)
        finally:
            await db.dispose()
        return await asyncio.to_thread(export.write, data, out, fmt, archive=archive)

    paths = asyncio.run(run_export())
    if paths is None:
        print(f"没有班级「{class_name}」", file=sys.stderr)
        raise typer.Exit(1)
    for path in paths:
        print(path)


@app.command()
def check(config: ConfigOption = None) -> None:
    """健康检查：数据库、迁移、渠道、待发消息。Health: database, migrations, channels, outbox.

    Exit 0 when all is well, 1 when something needs attention (for monitoring and Docker's
    HEALTHCHECK). Channels are checked as configured (extras import, tokens and endpoints
    set); whether a running process is connected shows in its log."""
    from models import Database
    from services.health import check as health

    settings = _load(config)
    problems: list[str] = []
    try:
        channels = [c.name for c in build_channels(settings, os.environ, _write)]
    except (ConfigError, ChannelUnavailable) as exc:
        channels = []
        problems.append(str(exc))

    async def go():  # type: ignore[no-untyped-def]
        db = Database(settings.database_url)
        try:
            return await health(db, SystemClock().now())
        finally:
            await db.dispose()

    state = asyncio.run(go())
    now = SystemClock().now()
    waiting = int((now - state.oldest_due).total_seconds() // 60) if state.oldest_due else 0
    # A due message unsent for more than 10 minutes means no process is delivering.
    ok = state.reachable and state.at_head and not problems and waiting <= 10
    print(Renderer(settings.language).render(
        "console/check", ok=ok, driver=settings.database_url.split("://")[0], state=state,
        channels=channels, problems=problems, waiting_minutes=waiting))
    if not ok:
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """把数据库升级到最新结构（启动时也会自动做）。Upgrade the database schema to head."""
    from models import Database
    from models.migrate import upgrade

    settings = _load(config)

    async def go() -> None:
        db = Database(settings.database_url)
        try:
            done = await upgrade(db)
        finally:
            await db.dispose()
        print(Renderer(settings.language).render("console/db_upgraded", before=done.before,
                                                 after=done.after, backup=done.backup,
                                                 changed=done.changed))

    asyncio.run(go())


@db_app.command("current")
def db_current(config: ConfigOption = None) -> None:
    """显示数据库结构的版本。Show the database's schema revision and the code's head."""
    from models import Database
    from models.migrate import current, head

    settings = _load(config)

    async def go() -> tuple[str | None, bool]:
        db = Database(settings.database_url)
        try:
            return await current(db)
        finally:
            await db.dispose()

    revision, has_tables = asyncio.run(go())
    print(Renderer(settings.language).render("console/db_current", revision=revision,
                                             has_tables=has_tables, head=head()))
    if revision != head():
        raise typer.Exit(1)


@db_app.command("revision")
def db_revision(message: Annotated[str, typer.Option("--message", "-m",
                                                     help="what the revision changes")]) -> None:
    """为模型的改动写一个迁移脚本（开发者用）。Write a migration for what the models changed.

    Compares a scratch SQLite database built by the existing migrations with the models."""
    from models import Database
    from models.migrate import new_revision

    async def go() -> str:
        with tempfile.TemporaryDirectory(prefix="classbot-revision-") as tmp:
            db = Database(f"sqlite:///{tmp}/scratch.db")
            try:
                script = await new_revision(db, message)
            finally:
                await db.dispose()
        return str(script.path)

    print(asyncio.run(go()))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
