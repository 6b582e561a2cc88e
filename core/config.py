"""config.yaml, validated: a school's IT person gets a message that names the key, not a traceback.

Secrets never live in the file: the database URL and platform tokens may come from the
environment (CLASSBOT_DATABASE_URL, CLASSBOT_TELEGRAM_TOKEN, …) so config.yaml can be committed.
"""

from __future__ import annotations

import os
from datetime import date, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.school_time import SchoolCalendar

ChannelName = Literal["console", "telegram", "wechat"]
Language = Literal["zh_CN", "en"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("unknown time zone") from exc
    return value


def _clock_time(value: Any) -> Any:
    """Undo YAML 1.1's base-60 integers: an unquoted `start: 21:30` arrives as 1290.

    Without this, pydantic would read 1290 as seconds (00:21:30) and quiet hours would silently
    start twenty minutes after midnight.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    hours, minutes = divmod(value, 60)
    return f"{hours:02d}:{minutes:02d}"


class QuietHours(_Strict):
    start: time = time(21, 30)
    end: time = time(7, 0)

    _unquoted = field_validator("start", "end", mode="before")(_clock_time)


class PersonSeed(_Strict):
    """A staff member known before they ever write: `ids` maps channel → platform user id."""

    name: str = Field(min_length=1, max_length=40)
    ids: dict[ChannelName, str] = Field(default_factory=dict)

    def id_on(self, channel: str) -> str | None:
        # On the console a person is typed by name, so the name is the id unless told otherwise.
        if channel in ("console", "memory"):
            return self.ids.get("console", self.name)
        return self.ids.get(channel)  # type: ignore[call-overload]


class TeacherSeed(PersonSeed):
    subject: str = Field(min_length=1, max_length=20)


class ClassSeed(_Strict):
    name: str = Field(min_length=1, max_length=40)
    head_teacher: PersonSeed
    teachers: list[TeacherSeed] = Field(default_factory=list)
    roster: list[str] = Field(default_factory=list)
    timezone: str | None = None

    _tz = field_validator("timezone")(lambda v: v if v is None else _check_timezone(v))


class NoticeSettings(_Strict):
    nudge_after_minutes: int = Field(default=180, ge=1, le=7 * 24 * 60)
    urgent_nudge_after_minutes: int = Field(default=30, ge=1, le=24 * 60)
    second_round_after_minutes: int = Field(default=180, ge=1, le=7 * 24 * 60)
    ack_window_days: int = Field(default=7, ge=1, le=90)
    # Notices posted at most this far apart make one burst: one 收到 in the group counts for
    # all of it, and a family gets one reminder for it, not one per notice.
    burst_minutes: int = Field(default=10, ge=0, le=24 * 60)


class TelegramSettings(_Strict):
    """Non-secret Telegram settings; the bot token comes only from CLASSBOT_TELEGRAM_TOKEN."""

    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None  # public HTTPS address Telegram posts to (webhook mode)
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    base_url: str = "https://api.telegram.org/bot"  # tests point this at a fake on 127.0.0.1
    edit_throttle_seconds: float = Field(default=10.0, ge=0, le=3600)
    poll_timeout_seconds: int = Field(default=30, ge=0, le=50)
    # This process's part of the bot's overall 30 messages/s: several processes sending for
    # one bot token split it (two processes: 0.5 each). Per-chat and per-group limits are kept
    # per process; a 429 the split did not prevent is waited out (retry_after), never lost.
    rate_share: float = Field(default=1.0, gt=0, le=1)

    @field_validator("webhook_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("webhook_url must start with https://")
        return value


TELEGRAM_TOKEN_ENV = "CLASSBOT_TELEGRAM_TOKEN"


class WechatSettings(_Strict):
    """The WeChat gateway (a wechaty puppet service the school runs or rents) and how gently
    to send through it. The token is a secret: CLASSBOT_WECHAT_TOKEN, never the file."""

    endpoint: str | None = None  # host:port; also CLASSBOT_WECHAT_ENDPOINT
    # Personal WeChat accounts get restricted when they send fast: at most one message per
    # per_chat_seconds into one chat and per_minute overall, evenly spaced (no bursts), each
    # delayed by up to jitter_seconds more. Lower only for a gateway that allows it.
    per_chat_seconds: float = Field(default=2.0, ge=0.05, le=600)
    per_minute: int = Field(default=20, ge=1, le=600)
    jitter_seconds: float = Field(default=1.0, ge=0, le=60)
    reconnect_min_seconds: float = Field(default=1.0, ge=0.01, le=600)
    reconnect_max_seconds: float = Field(default=120.0, ge=0.01, le=3600)
    # A send without an answer after send_timeout_seconds may still have gone out: the gateway
    # echoes the bot's own messages, so the channel waits up to echo_wait_seconds for the echo
    # before sending once more (bot/channels/wechaty.py).
    send_timeout_seconds: float = Field(default=15.0, ge=0.05, le=300)
    echo_wait_seconds: float = Field(default=5.0, ge=0.01, le=300)

    @field_validator("endpoint")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value is None:
            return None
        host, sep, port = value.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("endpoint must be host:port")
        return value.strip()


class SchoolDays(_Strict):
    """Which days count as school days for the mailbox's reply clock and office hours: the
    Chinese public calendar (holidays off, 调休 make-up days on) unless `public_holidays` is
    false (then Monday to Friday), with the school's own days `off` and `extra` school days."""

    public_holidays: bool = True
    off: list[date] = Field(default_factory=list, max_length=366)
    extra: list[date] = Field(default_factory=list, max_length=366)

    def calendar(self) -> SchoolCalendar:
        return SchoolCalendar(frozenset(self.off), frozenset(self.extra), self.public_holidays)


class OfficeHours(_Strict):
    """When a teacher takes relayed private messages (#私信); outside them messages wait."""

    start: time = time(7, 30)
    end: time = time(18, 0)
    school_days_only: bool = True

    _unquoted = field_validator("start", "end", mode="before")(_clock_time)


class MailboxSettings(_Strict):
    """The class mailbox (家长信箱): service level, school-level recipients, office hours."""

    reply_within_hours: int = Field(default=48, ge=1, le=30 * 24)
    school_days_only: bool = True  # the reply clock stops on days off (see SchoolDays)
    offer_expires_minutes: int = Field(default=30, ge=1, le=24 * 60)
    principals: list[PersonSeed] = Field(default_factory=list)  # #校长信箱 recipients
    office_hours: OfficeHours = OfficeHours()
    teacher_office_hours: dict[str, OfficeHours] = Field(default_factory=dict)

    def hours_of(self, teacher: str) -> OfficeHours:
        return self.teacher_office_hours.get(teacher, self.office_hours)


class MeetingSettings(_Strict):
    reminder_offsets_minutes: list[int] = Field(default_factory=lambda: [24 * 60, 60],
                                                max_length=5)
    default_duration_minutes: int = Field(default=120, ge=15, le=12 * 60)
    checkin_opens_minutes_before: int = Field(default=30, ge=0, le=240)
    rsvp_nudge_hours_before_deadline: int = Field(default=24, ge=1, le=14 * 24)
    confirm_rsvp_privately: bool = False

    @field_validator("reminder_offsets_minutes")
    @classmethod
    def _positive_offsets(cls, value: list[int]) -> list[int]:
        if any(minutes < 1 or minutes > 14 * 24 * 60 for minutes in value):
            raise ValueError("each offset must be 1 to 20160 minutes")
        return sorted(set(value), reverse=True)


class SignupSettings(_Strict):
    """Sign-ups (接龙): the group sees at most one updated list per `group_update_minutes`
    (a card edited in place where the platform can edit), never one message per joiner."""

    group_update_minutes: int = Field(default=5, ge=1, le=24 * 60)


class SlotSettings(_Strict):
    """Time slots (预约): each booked family is reminded this long before its slot."""

    remind_minutes_before: int = Field(default=60, ge=5, le=7 * 24 * 60)


class WeeklyUpdateSettings(_Strict):
    weekday: int = Field(default=5, ge=1, le=7)  # ISO: 1 = Monday … 5 = Friday … 7 = Sunday
    at: time = time(17, 0)
    empty_week: Literal["skip", "short"] = "skip"
    enabled: bool = True

    _unquoted = field_validator("at", mode="before")(_clock_time)


MUST_VISIT = ("经常违纪", "成绩下降", "家庭变故", "情绪不稳", "单亲家庭", "特殊关注")


class Term(_Strict):
    """One school term (学期): the contact coverage and the archive count within it."""

    name: str = Field(min_length=1, max_length=20)  # 2026秋
    start: date
    end: date


class RecordSettings(_Strict):
    """The class record (家校联系册): how often each 必访 category must be contacted."""

    must_visit_weeks: dict[str, int] = Field(default_factory=lambda: {
        "经常违纪": 2, "成绩下降": 4, "家庭变故": 2, "情绪不稳": 2, "单亲家庭": 8, "特殊关注": 8})
    reminder_at: time = time(8, 0)  # the monthly gap reminder, on the month's first school day
    reminders: bool = True

    _unquoted = field_validator("reminder_at", mode="before")(_clock_time)

    @field_validator("must_visit_weeks")
    @classmethod
    def _known_categories(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(MUST_VISIT))
        if unknown or any(not 1 <= weeks <= 52 for weeks in value.values()):
            raise ValueError(f"categories are {', '.join(MUST_VISIT)}; weeks 1-52")
        return value


class GradeSettings(_Strict):
    class_averages: bool = False  # show each family the class average beside its child's row
    confirm_expires_minutes: int = Field(default=120, ge=5, le=7 * 24 * 60)
    # `#成绩` without a table waits this long for the file (or paste) sent after it.
    file_wait_minutes: int = Field(default=10, ge=1, le=24 * 60)
    # An uploaded score file larger than this is refused before it is downloaded (a class's
    # sheet is a few KB; Telegram lets bots download up to 20 MB).
    file_max_kb: int = Field(default=1024, ge=16, le=20 * 1024)


class PrivacySettings(_Strict):
    guard: bool = True  # warn about phone/ID numbers, rankings, one child's problems in groups
    hold_expires_minutes: int = Field(default=24 * 60, ge=5, le=7 * 24 * 60)


class ReportSettings(_Strict):
    monthly: bool = True  # the 月报 on the first school day of each month
    at: time = time(8, 0)
    export_dir: str = "exports"  # where #导出 writes files the platform cannot send

    _unquoted = field_validator("at", mode="before")(_clock_time)


class Config(_Strict):
    school_name: str = Field(default="示例小学", min_length=1, max_length=60)
    timezone: str = "Asia/Shanghai"
    quiet_hours: QuietHours = QuietHours()
    # `sqlite:///…` runs SQLite inline on the event loop (models/inline.py); written out as
    # `sqlite+aiosqlite:///…` it keeps aiosqlite's thread; or `postgresql+asyncpg://…`.
    database_url: str = "sqlite:///data/classbot.db"
    channels: list[ChannelName] = Field(default_factory=lambda: ["console"], min_length=1)
    bot_name: str = Field(default="班级助手", min_length=1, max_length=20)
    language: Language = "zh_CN"
    max_guardians_per_student: int = Field(default=2, ge=1, le=6)
    # open: a #登记 counts at once (the head teacher is told); approve: it waits for #批准.
    registration: Literal["open", "approve"] = "open"
    tick_seconds: float = Field(default=10.0, gt=0, le=300)
    # A process's claims (messages being sent, jobs running) are taken over by another process
    # only this long after its last heartbeat (services/leases.py); it beats every third of it.
    lease_seconds: float = Field(default=30.0, ge=1, le=3600)
    notices: NoticeSettings = NoticeSettings()
    telegram: TelegramSettings = TelegramSettings()
    wechat: WechatSettings = WechatSettings()
    mailbox: MailboxSettings = MailboxSettings()
    meetings: MeetingSettings = MeetingSettings()
    signups: SignupSettings = SignupSettings()
    slots: SlotSettings = SlotSettings()
    weekly_update: WeeklyUpdateSettings = WeeklyUpdateSettings()
    terms: list[Term] = Field(default_factory=list)  # the school calendar's terms
    record: RecordSettings = RecordSettings()
    grades: GradeSettings = GradeSettings()
    privacy: PrivacySettings = PrivacySettings()
    reports: ReportSettings = ReportSettings()
    school_days: SchoolDays = SchoolDays()
    classes: list[ClassSeed] = Field(default_factory=list)

    _tz = field_validator("timezone")(lambda v: _check_timezone(v))

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "sqlite+inline://", "sqlite+aiosqlite://",
                                  "postgresql+asyncpg://")):
            raise ValueError("unsupported database driver")
        return value

    @field_validator("terms")
    @classmethod
    def _terms_in_order(cls, value: list[Term]) -> list[Term]:
        for term in value:
            if term.end <= term.start:
                raise ValueError(f"term {term.name}: end must be after start")
        return value

    def term_on(self, day: date) -> Term | None:
        """The term `day` falls in (its start to its end, both included)."""
        return next((t for t in self.terms if t.start <= day <= t.end), None)

    def term_named(self, name: str) -> Term | None:
        return next((t for t in self.terms if t.name == name), None)

    def class_timezone(self, seed: ClassSeed) -> str:
        return seed.timezone or self.timezone


class ConfigError(Exception):
    """Raised with a ready-to-print, human message; never a traceback for the user."""

    def __init__(self, problems: list[dict[str, Any]], path: str) -> None:
        super().__init__(f"{len(problems)} problem(s) in {path}")
        self.problems = problems
        self.path = path


def load_config(path: str | Path | None, env: dict[str, str] | None = None) -> Config:
    """Read and validate config; a missing file means all defaults (the console demo)."""
    env = dict(os.environ) if env is None else env
    raw: dict[str, Any] = {}
    where = str(path) if path else "(defaults)"
    if path is not None:
        try:
            loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            problem = {"key": "", "value": where, "kind": "missing_file"}
            raise ConfigError([problem], where) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else "?"
            problem = {"key": "", "value": f"line {line}", "kind": "yaml"}
            raise ConfigError([problem], where) from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError([{"key": "", "value": type(loaded).__name__, "kind": "not_mapping"}],
                              where)
        raw = loaded or {}
    if env.get("CLASSBOT_DATABASE_URL"):
        raw["database_url"] = env["CLASSBOT_DATABASE_URL"]
    wechat = raw.get("wechat") or {}
    if env.get("CLASSBOT_WECHAT_ENDPOINT") and isinstance(wechat, dict):
        raw["wechat"] = {**wechat, "endpoint": env["CLASSBOT_WECHAT_ENDPOINT"]}
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        problems = [
            {
                "key": ".".join(str(p) for p in err["loc"]),
                "field": next((str(p) for p in reversed(err["loc"]) if isinstance(p, str)), ""),
                "value": err.get("input"),
                "kind": err["type"],
                "detail": err["msg"],
            }
            for err in exc.errors()
        ]
        raise ConfigError(problems, where) from None
    check_channels(config, where)
    return config


def check_channels(config: Config, where: str = "(config)") -> None:
    """What a channel needs before it can start; ConfigError names the missing key.

    The WeChat endpoint is required: with a token alone the SDK looks the token up on the
    internet and, failing that, retries every 60 s forever instead of saying what is wrong.
    """
    if "wechat" in config.channels and not config.wechat.endpoint:
        raise ConfigError([{"key": "wechat.endpoint", "field": "endpoint", "value": None,
                            "kind": "missing", "detail": "required for channel wechat"}], where)
