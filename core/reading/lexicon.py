"""The word classes of the language layer: which everyday words mean what.

This is data, not logic. Each word belongs to one class (`Cls`); the tokenizer
(`core.reading.tokens`) cuts a message into the longest words it knows, so `不参加` is one
NO word and not 不 + 参加, and `到时候` is a time word, not a check-in 到. Words are written in
their normalised form (NFKC, lower case): full-width letters and digits never appear here.

Strong and weak: an acknowledgement written with a strong word (收到, 已阅, 知道了) is an answer
even beside other text (`收到，明天交`); a weak one (好的, 嗯, 👍, [抱拳]) only when the whole
message says nothing else, because the same words are everyday chatter (`好的，明天见`).
"""

from __future__ import annotations

from enum import StrEnum


class Cls(StrEnum):
    """Token classes. The answer classes come first; the rest shape how answers are read."""

    ACK = "ack"  # 收到, 已阅: an acknowledgement, strong
    ACK_WEAK = "ack_weak"  # 好的, 嗯, ok, 👍, [抱拳]: an acknowledgement only when alone
    YES = "yes"  # 参加, 能去, 报名
    NO = "no"  # 不参加, 去不了, 请假
    MAYBE = "maybe"  # 待定, 不一定, 看情况: a maybe on its own
    HEDGE = "hedge"  # 可能, 应该, 尽量: turns a yes or no into a maybe
    CHECKIN = "checkin"  # 签到, 到了, 已到, 在门口
    PLUS = "plus"  # +1, +2 (a sign-up with a head count)
    NEG = "neg"  # 不是, 没, 没有, 未: an answer word after it is not an answer
    CHANGE = "change"  # 还是, 改成, 算了: a change of mind
    PAST = "past"  # 本来, 之前说, 如果, 的话: reported or supposed, not the answer now
    QUESTION = "question"  # 吗, 什么, 能不能, 去不去: the part is a question
    OPENER = "opener"  # 请问, 想问一下: everything from here on is a question
    SUBJ = "subj"  # 我, 我们, 孩子爸爸, 李明妈妈: who answers
    RELATION = "relation"  # 爸爸, 妈妈, 老公: a person word (two side by side are two people)
    CHILD = "child"  # 孩子, 小孩: the pupil, not a guardian
    ALL = "all"  # 全家, 一家人: everyone, no number
    CONJ = "conj"  # 和, 跟, 带: joins people
    COUNT = "count"  # 2个人, 两位, 一家三口, 我们俩
    REF = "ref"  # #3, 第3条, 10号: an item number
    NUM = "num"  # a bare number (3): an item number next to an answer word
    KIND = "kind"  # 通知, 家长会, 座谈会: what kind of item
    LATE = "late"  # 回复晚了, 刚看群: says the answer comes late
    TIME = "time"  # 明天, 周五, 晚上, 7点: when, not what
    FILLER = "filler"  # 老师, 谢谢, 了, 哈, 的, 都, emoji, stickers, @mentions
    RES = "res"  # anything not known: content the answer words do not cover


def _words(cls: Cls, text: str) -> dict[str, Cls]:
    return {w: cls for w in text.split()}


_RELATIONS = """
    爸爸 妈妈 爸 妈 老爸 老妈 爷爷 奶奶 姥姥 姥爷 外公 外婆 老公 老婆 爱人 先生 媳妇 叔叔
    阿姨 舅舅 舅妈 姑姑 姨妈 小姨 哥哥 姐姐
"""

# A word listed twice is an error the test suite catches (lexicon_conflicts()).
_GROUPS: list[dict[str, Cls]] = [
    _words(Cls.ACK, """
        收到 收到了 收到啦 收到咯 收到嘞 收到哈 收到哦 收到喽 收到咗 已收到 已收 收悉 已收悉 收
        收收 收道 收倒 收到收到 手到 已阅 已读 阅 阅读了 已知晓 知晓 知悉 已知悉 知道 知道了
        知道啦 知道咯 知道咗 知到了 晓得 晓得了 晓得咯 明白 明白了 明白啦 了解 了解了 已了解
        清楚了 看到了 看到啦 看到 已看 看过了 已看到 刚看到 才看到 刚刚看到 刚看见 才看见
        现在才看到 已确认 确认收到 同意 received noted get got 收到收到收到
    """),
    _words(Cls.ACK_WEAK, """
        好 好的 好滴 好哒 好嘞 好咧 好得 好吧 好哦 好呢 好啊 好噢 好好 好好好 好的好的 好嘞好嘞
        嗯 嗯嗯 嗯嗯嗯 恩 恩恩 嗯呐 嗯哪 嗯啊 ok okk okay okok 欧克 要得 得嘞 妥 妥了 妥妥的 行
        可以的 没问题 好的呢 👌 👍 🙏 ✅ ✔ ☑ 🤝 🫡 👏 [ok] [强] [抱拳] [握手] [好的] [合十]
        [收到]
    """),
    _words(Cls.YES, """
        参加 参会 参与 报名 报名参加 我报名 去 能去 会去 可以去 要去 都去 一起去 前往 来 能来
        会来 可以来 一定来 出席 准时参加 准时到 一定到 必到 准到 肯定到 参家 算我一个 加我一个
        算上我 到会 出动
    """),
    _words(Cls.NO, """
        不参加 不参与 参加不了 参加不成 不能参加 无法参加 没法参加 没办法参加 不能参与 去不了
        去不成 去不到 不去 不能去 没法去 没办法去 来不了 不来 不能来 没法来 到不了 赶不上
        赶不回来 赶不过来 缺席 请假 请个假 不报名 没空 没时间 抽不出时间 抽不开身 走不开
        脱不开身 不出席 无法出席 不克出席 唔去 去唔到 唔参加 唔得闲 不过来了 就不去了 去不了了
    """),
    _words(Cls.MAYBE, """
        待定 未定 不一定 不确定 说不好 还不确定 说不定 说不准 不好说 看情况 到时候看 到时再看
        再看看 看看再说 再说 到时候看看 到时看看 还不知道 还不清楚 看安排 看时间 待确认
        不一定能去 不一定去 不一定参加
    """),
    _words(Cls.HEDGE, "可能 也许 或许 估计 大概 应该 尽量 争取 大概率 可能会 应该会 应该能"),
    _words(Cls.CHECKIN, """
        签到 签到了 已签到 签个到 签道 到 到了 已到 已到了 已经到了 到啦 已到达 到达 到场 已到场
        进场 已进场 入场 已就位 就位 报到 到了到了
    """),
    _words(Cls.NEG, "不 不是 没 没有 未 还没 还没有 并没有 并没 并不 尚未 还未 都没 也没 别"),
    _words(Cls.CHANGE, "还是 那还是 改成 改为 改 又 最终 最后 算了 临时 突然 那就"),
    _words(Cls.PAST, "本来 原来 原本 之前 之前说 刚才说 上次说 早上说 如果 要是 假如 的话 万一"),
    _words(Cls.QUESTION, """
        吗 么 什么 啥 怎么 怎样 咋 为什么 为啥 哪 哪里 哪儿 哪个 哪天 几点 几号 几个 多少 多久
        是否 能不能 可不可以 会不会 要不要 是不是 有没有 需不需要 用不用 去不去 来不来 参不参加
        参加不参加 到没到 收没收到 对吗 对不对 行吗 好吗 可以吗 [疑问] 有谁 谁
    """),
    _words(Cls.OPENER, "请问 想问 想问下 想问一下 问一下 问下 咨询 咨询一下 打听一下 请教"),
    _words(Cls.SUBJ, """
        我 我们 俺 俺们 咱 咱们 咱家 我家 我们家 俺家 本人 偶 家长 孩子爸爸 孩子妈妈 孩子爸
        孩子妈 孩爸 孩妈 孩他爸 孩她妈 孩子他爸 孩子她妈 我是
    """),
    _words(Cls.RELATION, _RELATIONS),
    # Grandparents write about "his/her" relatives (我和他爷爷都去): the same person words.
    _words(Cls.RELATION, " ".join(f"{owner}{word}" for owner in ("他", "她", "他的", "她的")
                                  for word in _RELATIONS.split())),
    _words(Cls.CHILD, "孩子 小孩 宝宝 娃 小朋友 儿子 女儿 闺女"),
    _words(Cls.ALL, "全家 全家人 一家人 一家子 我们全家 全家都"),
    _words(Cls.CONJ, "和 跟 与 及 以及 还有 带 带着 带上 加上 、 同"),
    _words(Cls.KIND, """
        通知 告家长书 公告 消息 信息 短信 回执 表 表格 家长会 座谈会 培训会 交流会 经验交流会
        开放日 会议 活动 讲座 班会 报名表
    """),
    _words(Cls.LATE, "回复晚了 晚了 刚看群 回晚了 才看群 看晚了 回复晚"),
    # Words that look like answers but are not: the longest word wins, so these stop the
    # shorter answer inside them (马上到 is on the way, not arrived; 了解一下 is "look into it").
    _words(Cls.RES, """
        马上到 马上就到 快到了 就到 在路上 路上 到家 到家了 了解一下 看一下 看下 收费 到底 来自
        到期 收拾 收好 改到 提前到 推迟到 延期到 延迟到 定到 调到 挪到 签到表 签到处 签到时间
        好久 好看 好像 好多 行程 去年 来说 来看
        迟到 晚到 晚点到 晚一点到 晚些到 会晚到 迟点到 到得晚
    """),
    _words(Cls.TIME, """
        今天 明天 后天 昨天 今晚 明晚 今早 明早 上午 下午 中午 晚上 早上 傍晚 到时候 到时 届时
        那天 当天 现在 这周 本周 下周 上周 周末 这次 本次 下次 待会 一会儿 马上
    """),
    _words(Cls.FILLER, """
        老师 老师好 老师们 各位 各位老师 您 您好 你好 大家好 早上好 晚上好 谢谢 谢谢老师 谢谢您
        谢谢啦 谢了 多谢 感谢 感谢老师 辛苦了 辛苦 辛苦啦 老师辛苦了 辛苦老师 麻烦了 麻烦老师了
        thanks thx thank you 了 啦 哈 哈哈 呀 啊 哦 噢 喔 嘞 咯 哟 呐 滴 的 嗷 吧 嘛 呢 咧 耶 呗
        哇 噻 撒 已经 已 都 也 一起 一块 一块儿 一定 肯定 准时 按时 会 能 可以 要 就 再 还 必须
        保证 当然 亲自 全程 这个 那个 这条 那条 上面的 刚才的 刚发的 老师发的 发的 群里的 学校的
        关于 有关 班主任 校长 是 在 那 那么 那我 那我们 哈哈哈 嘻嘻 呵呵 不好意思 抱歉 sorry 共
        一共 总共 合计 一下 thank you it [玫瑰] [爱心] [微笑] [愉快] [呲牙] [憨笑] [鼓掌] [庆祝]
        但是 可是 不过 只是 自己 [加油] [太阳] [拥抱] [胜利] [耶] [旺柴] [嘿哈]
    """),
]


def lexicon_conflicts() -> list[str]:
    """Words listed in more than one class (the tests require none)."""
    seen: dict[str, Cls] = {}
    clashes = []
    for group in _GROUPS:
        for word, cls in group.items():
            if word in seen and seen[word] is not cls:
                clashes.append(f"{word}: {seen[word]} / {cls}")
            seen[word] = cls
    return clashes


LEXICON: dict[str, Cls] = {w: c for group in _GROUPS for w, c in group.items()}
# Classes that make a part of a message an answer.
ANSWER_CLASSES = frozenset({Cls.ACK, Cls.ACK_WEAK, Cls.YES, Cls.NO, Cls.MAYBE, Cls.HEDGE,
                            Cls.CHECKIN, Cls.PLUS})
RSVP_CLASSES = frozenset({Cls.YES, Cls.NO, Cls.MAYBE, Cls.HEDGE, Cls.PLUS})
# Words that say nothing about the answer; a part made only of these is neutral.
NEUTRAL_CLASSES = frozenset({Cls.FILLER, Cls.TIME, Cls.LATE, Cls.SUBJ, Cls.RELATION, Cls.ALL,
                             Cls.CONJ, Cls.CHANGE})

# Item kinds: the words that say an answer is about a notice or a meeting, and which of them
# are generic (they name no particular item, so they are no topic word).
NOTICE_KINDS = frozenset({"通知", "告家长书", "公告", "消息", "信息", "短信", "回执", "表", "表格",
                          "报名表"})
MEETING_KINDS = frozenset({"家长会", "座谈会", "培训会", "交流会", "经验交流会", "开放日", "会议",
                           "讲座", "班会", "活动"})
GENERIC_KINDS = frozenset({"通知", "公告", "消息", "信息", "短信", "会议", "活动", "表", "表格"})

# Words of an answer that are clear enough to deserve a private question when the message
# cannot be read (looks_like_answer): weak words (好, 去, 到) are everyday chatter.
STRONG_ANSWER_WORDS = (
    "收到", "已阅", "已读", "收悉", "知悉", "参加", "报名", "签到", "已到", "到了", "不去",
    "去不了", "来不了", "待定", "+1",
)

# WeChat stickers arrive as text: [抱拳]. Unknown ones are fillers.
STICKER_MAX = 8
# Emoji and symbols that are an acknowledgement when alone (the rest decorate).
ACK_EMOJI = frozenset({"👌", "👍", "🙏", "✅", "✔", "☑", "🤝", "🫡", "👏"})

# Places a check-in names: 我到了，在门口 / 在校门口了 / 到会场了.
CHECKIN_PLACES = ("校门口", "学校门口", "门口", "会场", "教室", "楼下", "礼堂", "会议室", "大厅",
                  "操场", "报告厅", "学校", "门卫", "停车场", "现场", "校门")

# Compound surnames, for 欧阳老师 (a one-character surname is matched by rule).
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "慕容", "令狐", "皇甫", "尉迟", "长孙",
                     "宇文", "司徒", "夏侯", "公孙")
# Characters that cannot be part of a pupil's name in 李明妈妈 (they start answer words).
NOT_IN_NAMES = frozenset("我你他她它们的和跟与及带同是在都也了去来到收好嗯参加签已不没孩子全家一")
