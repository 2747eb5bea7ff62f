"""Benchmark: near-duplicate detection over a year of meeting minutes, against brute force
measured in the same run.

    uv run python bench/party_similarity.py [--documents 25000] [--sample 2000] [--bands N]

Generates ``--documents`` synthetic Chinese minutes deterministically (``random.Random(2023)``;
300–1,500 characters, from a vocabulary of the phrases real minutes use), about 3% of them
planted near-copies of an earlier record (new date, host, recorder and attendance, often
another branch, often a sentence added or dropped). Then it measures:

1. ``search_near_duplicates`` on all documents: time, candidate pairs, matches, and recall on
   the planted copies (of all of them, and of those whose exact Jaccard index is at or above
   the threshold — the ones the method is asked to find);
2. the baseline: exact Jaccard for every pair of a ``--sample``-document sample, extrapolated
   to all documents (shingling grows with n, pairs with n²), and the LSH search on that same
   sample, to compare its matches with the exhaustive answer.

It prints figures; it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from tongxin.party.similarity import (
    DEFAULT_K,
    DEFAULT_NUM_PERM,
    DEFAULT_THRESHOLD,
    MIN_LENGTH,
    Document,
    jaccard,
    normalise,
    search_near_duplicates,
    shingles,
)

PRISONS = [
    "洪山监狱", "襄南监狱", "沙洋监狱", "汉江监狱", "武汉女子监狱", "江北监狱", "宜昌监狱",
    "荆州监狱", "孝感监狱", "黄州监狱", "咸宁监狱", "随州监狱", "恩施监狱", "十堰监狱",
    "范家台监狱", "广华监狱", "蔡甸监狱",
]  # fmt: skip
UNITS = [
    "一监区", "二监区", "三监区", "四监区", "五监区", "六监区", "七监区", "八监区", "九监区",
    "十监区", "十一监区", "十二监区", "狱政管理科", "刑罚执行科", "教育改造科", "生活卫生科",
    "狱内侦查科", "政治处", "办公室", "机关",
]  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
)
GIVEN = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀英", "霞", "平", "刚", "桂英", "华", "飞", "鹏", "辉", "玲", "红", "建华",
    "文", "斌", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "琳", "晨", "亮", "鑫",
    "博", "峰", "雪", "蕾", "志强", "建国", "海燕", "晓东", "国庆", "春梅", "德明",
]  # fmt: skip
ACTIVITIES = ["主题党日活动", "支部党员大会", "党小组会", "专题党课", "支委会", "组织生活会"]
PLACES = [
    "监区会议室", "党员活动室", "监狱党建阵地", "警示教育基地", "监区学习室", "监狱会议中心",
    "红色教育基地", "监区谈心室",
]  # fmt: skip
THEMES = [
    "学习贯彻习近平新时代中国特色社会主义思想", "学习贯彻党的二十大精神", "深入开展主题教育",
    "重温入党誓词、牢记初心使命", "支部书记讲党课", "维护监区安全稳定", "提高罪犯教育改造质量",
    "全面从严治党", "加强党风廉政建设", "巩固政法队伍教育整顿成果", "严格公正廉洁执法",
    "落实中央八项规定精神", "以案为鉴、以案促改", "建设平安监狱", "推进监狱工作高质量发展",
    "弘扬伟大建党精神", "践行社会主义核心价值观", "加强基层党组织标准化规范化建设",
]  # fmt: skip
MATERIALS = [
    "习近平总书记在二十届中央纪委二次全会上的重要讲话", "党的二十大报告", "中国共产党章程",
    "中国共产党纪律处分条例", "中国共产党廉洁自律准则", "习近平谈治国理政第四卷有关篇目",
    "关于新时代加强和改进思想政治工作的意见", "中国共产党支部工作条例(试行)",
    "全省监狱系统安全工作会议精神", "省局党委关于加强党风廉政建设的通知",
    "政法干警违纪违法典型案例通报", "习近平总书记关于政法工作的重要论述",
    "中国共产党政法工作条例", "省局年度工作会议精神", "监狱法及相关法律法规",
]  # fmt: skip
VIEWS = [
    "必须坚持把党的政治建设摆在首位", "要把学习成果转化为推动监狱工作高质量发展的实际成效",
    "要时刻绷紧安全稳定这根弦", "要坚持以改造人为宗旨,把教育改造贯穿刑罚执行全过程",
    "要严守纪律规矩,筑牢拒腐防变的思想防线", "要发挥党支部战斗堡垒作用和党员先锋模范作用",
    "要坚持问题导向,把查找出的问题逐项整改到位", "要牢固树立底线思维,防范化解各类风险隐患",
    "要严格执行监管制度,确保监管安全万无一失", "要以更高标准、更严要求做好本职工作",
    "要把严的基调、严的措施、严的氛围长期坚持下去", "要做到学思用贯通、知信行统一",
    "要坚持严格规范公正文明执法", "要进一步增强四个意识、坚定四个自信、做到两个维护",
]  # fmt: skip
TASKS = [
    "罪犯个别谈话教育", "监舍清监搜身", "安全隐患排查", "罪犯心理健康教育", "警示教育",
    "执法规范化检查", "罪犯劳动现场管理", "节假日安全防范", "罪犯亲情帮教", "消防安全检查",
    "计分考核公示", "减刑假释案件评审",
]  # fmt: skip
SENTENCES = [
    "{p}同志传达学习了《{material}》,并结合监区工作实际谈了学习体会。",
    "全体党员集中学习了《{material}》,{p}同志进行了领学和解读。",
    "{p}同志围绕“{theme}”作了交流发言,认为{view}。",
    "{p}同志结合自身岗位谈了认识,表示{view}。",
    "支部书记{p}同志以“{theme}”为题讲授专题党课,{view}。",
    "在全体党员面前,{p}同志领誓,大家重温了入党誓词,进一步坚定了理想信念。",
    "会议通报了{month}月份监区安全形势,本月共开展{task}{n}次,发现并整改隐患{m}处。",
    "{p}同志汇报了近期{task}工作情况,共开展{n}人次,取得了较好效果。",
    "会议研究部署了下一阶段{task}工作,明确由{p}同志牵头负责,{q}同志配合落实。",
    "会议观看了警示教育片,{p}同志谈了观后感,表示要以案为鉴、警钟长鸣。",
    "{p}同志对照党章党规,查摆了自身在学习、工作、作风方面存在的{n}个问题,并提出整改措施。",
    "会议通报了上级党委关于{theme}的工作要求,{view}。",
    "党员们结合{task}工作开展了讨论,{p}同志建议进一步细化分工、压实责任。",
    "{p}同志就{task}工作中发现的问题作了说明,会议要求立即整改并于{month}月底前报告结果。",
    "会议对{p}同志在{task}工作中的突出表现给予表扬,号召全体党员向其学习。",
    "会议讨论了发展党员工作,同意将{p}同志列为入党积极分子,由{q}同志作为培养联系人。",
    "{p}同志通报了本季度党费收缴情况,全体党员均按时足额交纳党费。",
    "围绕{theme},党员们畅谈体会,{p}同志表示{view}。",
    "会上,{p}同志带领大家学习了{material}中的有关内容,并就贯彻落实提出意见。",
    "会议开展了批评与自我批评,{p}同志给{q}同志提出了{n}条批评意见,{q}同志表示虚心接受。",
    "{p}同志分析了近期罪犯思想动态,重点对{n}名顽危犯的包夹控制措施进行了研究。",
    "会议要求全体党员在{task}中亮身份、作表率,{view}。",
    "{p}同志领学了{material},大家逐条对照检查,{view}。",
    "会议听取了{p}同志关于“{theme}”专项工作的进展汇报,对下一步工作作了安排。",
]
OPENINGS = [
    "{date},{org}在{place}召开{activity},会议由{host}同志主持,应到党员{expected}人,"
    "实到{present}人,{absent}同志因{excuse}请假。记录人:{recorder}。会议主题:{theme}。",
    "时间:{date}。地点:{place}。主持人:{host}。记录人:{recorder}。应到{expected}人,"
    "实到{present}人,缺席{gap}人({absent}同志因{excuse}请假)。{org}召开{activity},"
    "主题为{theme}。",
]
EXCUSES = ["值班备勤", "外出学习", "病假", "押解任务", "参加上级培训", "公休", "家中有事"]
CLOSINGS = [
    "最后,{host}同志作总结讲话,要求全体党员{view2},会议圆满完成各项议程。",
    "会议要求,各党小组要认真传达会议精神,{view2}。会议于{hour}时结束。",
    "{host}同志强调,{view2}。",
]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def date_text(rng: random.Random) -> str:
    return f"2023年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"


def sentence(rng: random.Random) -> str:
    return rng.choice(SENTENCES).format(
        p=person(rng),
        q=person(rng),
        material=rng.choice(MATERIALS),
        theme=rng.choice(THEMES),
        view=rng.choice(VIEWS),
        task=rng.choice(TASKS),
        month=rng.randint(1, 12),
        n=rng.randint(2, 40),
        m=rng.randint(1, 9),
    )


@dataclass
class Minutes:
    org_id: int
    header: dict[str, str]
    body: list[str]
    closing: str
    opening: str

    def text(self) -> str:
        expected = int(self.header["expected"])
        present = int(self.header["present"])
        head = self.opening.format(**self.header, gap=expected - present)
        return head + "".join(self.body) + self.closing.format(**self.header)


def org_name(org_id: int) -> str:
    prison, unit = divmod(org_id, len(UNITS))
    return f"{PRISONS[prison]}{UNITS[unit]}党支部"


def header(rng: random.Random, org_id: int) -> dict[str, str]:
    expected = rng.randint(6, 30)
    return {
        "date": date_text(rng),
        "org": org_name(org_id),
        "place": rng.choice(PLACES),
        "activity": rng.choice(ACTIVITIES),
        "host": person(rng),
        "recorder": person(rng),
        "expected": str(expected),
        "present": str(expected - rng.randint(0, 3)),
        "absent": person(rng),
        "excuse": rng.choice(EXCUSES),
        "theme": rng.choice(THEMES),
        "view2": rng.choice(VIEWS).removeprefix("要").removeprefix("必须"),
        "hour": str(rng.randint(10, 17)),
    }


def new_minutes(rng: random.Random, org_count: int) -> Minutes:
    org_id = rng.randrange(org_count)
    return Minutes(
        org_id=org_id,
        header=header(rng, org_id),
        body=[sentence(rng) for _ in range(rng.randint(5, 26))],
        closing=rng.choice(CLOSINGS),
        opening=rng.choice(OPENINGS),
    )


def near_copy(rng: random.Random, source: Minutes, org_count: int) -> Minutes:
    """The same record handed in again: a new date, often new people and attendance, half the
    time by another branch, often with a sentence added or dropped."""
    org_id = source.org_id if rng.random() < 0.5 else rng.randrange(org_count)
    fresh = header(rng, org_id)
    changed = ["date", "org"]
    if rng.random() < 0.7:
        changed += ["host", "recorder"]
    if rng.random() < 0.5:
        changed += ["expected", "present", "absent", "excuse"]
    body = list(source.body)
    if rng.random() < 0.5:
        body.insert(rng.randrange(len(body) + 1), sentence(rng))
    if rng.random() < 0.2 and len(body) > 6:
        body.pop(rng.randrange(len(body)))
    return Minutes(
        org_id=org_id,
        header={**source.header, **{key: fresh[key] for key in changed}},
        body=body,
        closing=source.closing,
        opening=source.opening,
    )


def generate(count: int, seed: int = 2023, copy_share: float = 0.03):
    """``count`` documents and the planted (source id, copy id) pairs."""
    rng = random.Random(seed)
    org_count = len(PRISONS) * len(UNITS)
    minutes: list[Minutes] = []
    planted: list[tuple[int, int]] = []
    for doc_id in range(count):
        if minutes and rng.random() < copy_share:
            source_id = rng.randrange(len(minutes))
            minutes.append(near_copy(rng, minutes[source_id], org_count))
            planted.append((source_id, doc_id))
        else:
            minutes.append(new_minutes(rng, org_count))
    docs = [Document(id=i, org_id=m.org_id, text=m.text()) for i, m in enumerate(minutes)]
    return docs, planted


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=25_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument(
        "--bands", type=int, default=None, help="default: chosen from the threshold"
    )
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    options = {"threshold": args.threshold}
    if args.bands:
        options["bands"] = args.bands

    started = time.perf_counter()
    docs, planted = generate(args.documents)
    lengths = [len(normalise(d.text)) for d in docs]
    print(
        f"generated {len(docs):,} minutes in {time.perf_counter() - started:.1f} s; "
        f"normalised length min {min(lengths)}, median {statistics.median(lengths):.0f}, "
        f"max {max(lengths)}; planted near-copies {len(planted)} "
        f"({len(planted) / len(docs):.1%})"
    )

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    result = search_near_duplicates(docs, **options)
    lsh_seconds = time.perf_counter() - started
    load_after = os.getloadavg()[0]
    found = {(m.a_id, m.b_id) for m in result.matches}
    planted_pairs = {(min(p), max(p)) for p in planted}
    by_id = {d.id: d for d in docs}
    true_similarity = {
        pair: jaccard(shingles(by_id[pair[0]].text), shingles(by_id[pair[1]].text))
        for pair in planted_pairs
    }
    reachable = {pair for pair, value in true_similarity.items() if value >= args.threshold}
    print(
        f"\nLSH search (k={DEFAULT_K}, {DEFAULT_NUM_PERM} bins, {result.bands} bands x "
        f"{result.rows} rows, "
        f"threshold {args.threshold}) on {len(docs):,} documents: {lsh_seconds:.1f} s "
        f"({lsh_seconds / len(docs) * 1000:.2f} ms a document)"
    )
    print(
        f"  machine: {os.cpu_count()} CPUs, load average {load_before:.1f} before the search and "
        f"{load_after:.1f} after (the search uses one core; other load slows it down)"
    )
    print(
        f"  compared:                {result.documents:,} (skipped as too short: "
        f"{len(result.skipped_short)})"
    )
    print(
        f"  candidate pairs checked: {result.candidate_pairs:,} "
        f"(of {len(docs) * (len(docs) - 1) // 2:,} pairs)"
    )
    print(
        f"  matches:                 {len(result.matches):,} "
        f"(same organisation: {sum(m.same_org for m in result.matches):,})"
    )
    print(
        f"  planted copies found:    {len(planted_pairs & found)} of {len(planted_pairs)} "
        f"= recall {len(planted_pairs & found) / len(planted_pairs):.1%}"
    )
    print(
        f"  planted copies with exact Jaccard >= {args.threshold}: {len(reachable)}; "
        f"found {len(reachable & found)} = recall {len(reachable & found) / len(reachable):.1%}"
    )
    values = sorted(true_similarity.values())
    print(
        f"  exact Jaccard of the planted copies: min {values[0]:.3f}, "
        f"median {statistics.median(values):.3f}, max {values[-1]:.3f}"
    )
    chain = {doc.id: doc.id for doc in docs}  # union-find over the planted pairs

    def root(doc_id: int) -> int:
        while chain[doc_id] != doc_id:
            doc_id = chain[doc_id]
        return doc_id

    for source, copy in planted:
        chain[root(copy)] = root(source)
    others = found - planted_pairs
    in_chains = sum(root(a) == root(b) for a, b in others)
    print(
        f"  matches not planted:     {len(others)}, of which {in_chains} join two records of one "
        "chain of planted copies (a copy of a copy and its original)"
    )

    # Baseline: brute force on a sample, extrapolated.
    sample = random.Random(7).sample(docs, min(args.sample, len(docs)))
    started = time.perf_counter()
    sets = [(d.id, shingles(d.text)) for d in sample if len(normalise(d.text)) >= MIN_LENGTH]
    shingle_seconds = time.perf_counter() - started
    started = time.perf_counter()
    brute = set()
    for (a_id, a), (b_id, b) in itertools.combinations(sets, 2):
        if jaccard(a, b) >= args.threshold:
            brute.add((min(a_id, b_id), max(a_id, b_id)))
    pair_seconds = time.perf_counter() - started
    n, big_n = len(sample), len(docs)
    extrapolated = shingle_seconds * big_n / n + pair_seconds * (big_n * (big_n - 1)) / (
        n * (n - 1)
    )
    started = time.perf_counter()
    sample_result = search_near_duplicates(sample, **options)
    sample_lsh_seconds = time.perf_counter() - started
    sample_found = {(m.a_id, m.b_id) for m in sample_result.matches}
    print(
        f"\nbaseline, brute force on a {n:,}-document sample: shingles {shingle_seconds:.1f} s, "
        f"{n * (n - 1) // 2:,} pairs {pair_seconds:.1f} s, matches {len(brute)}"
    )
    print(
        f"  LSH on the same sample: {sample_lsh_seconds:.2f} s, matches {len(sample_found)}, "
        f"of the brute-force matches found {len(brute & sample_found)}, "
        f"extra {len(sample_found - brute)}"
    )
    print(
        f"  brute force extrapolated to {big_n:,} documents (n²): {extrapolated:,.0f} s "
        f"= {extrapolated / 3600:.1f} h"
    )
    print(f"  ratio brute force / LSH at {big_n:,}: {extrapolated / lsh_seconds:,.0f}x")


if __name__ == "__main__":
    main()
