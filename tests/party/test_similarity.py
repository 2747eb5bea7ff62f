"""Copy-paste detection in meeting minutes: normalisation, exactness, what is and is not
flagged, determinism, and agreement with brute force."""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tongxin.party.similarity import (
    Document,
    Match,
    _fingerprints,
    _layout,
    banding_for,
    find_near_duplicates,
    jaccard,
    normalise,
    search_near_duplicates,
    shingles,
    text_similarity,
)

# Two real-looking records of the same kind of meeting on the same topic, written
# independently: they share the vocabulary of minutes, not the text.
THEMED_DAY_A = """\
2023年4月18日下午，洪山监狱三监区党支部在监区党员活动室开展“学习贯彻党的二十大精神、争做新时代
监狱人民警察”主题党日活动。支部书记王建华同志主持，应到党员14人，实到13人，李娜同志因值班备勤
请假。活动分四项议程进行。一是重温入党誓词。全体党员面向党旗，在王建华同志的带领下庄严宣誓，进
一步坚定了理想信念。二是集中学习。组织委员陈静同志领学了党的二十大报告中关于“推进国家安全体系
和能力现代化”的论述，并结合监狱实际作了解读。三是交流研讨。民警张伟、刘洋、赵敏先后发言，围绕
维护监管安全、提高罪犯教育改造质量谈了各自的体会。张伟同志认为，要把总体国家安全观落实到每一次
清监搜身、每一次个别谈话中；赵敏同志提出，要针对新收押罪犯思想波动大的特点，加强入监教育和心理
疏导。四是为民服务。活动结束后，党员们来到罪犯伙房和医务室，实地查看食品安全和疫病防控情况，现
场解决问题两个。王建华同志在总结时指出，学习贯彻党的二十大精神是当前和今后一个时期的首要政治任
务，全体党员要在安全稳定、教育改造、队伍建设中走在前、作表率，以实际行动检验学习成效。"""

THEMED_DAY_B = """\
5月12日，襄南监狱五监区党支部组织全体党员开展以“深入学习二十大、守牢监管安全线”为主题的党日活
动，活动由支部副书记周涛同志主持，应参加党员11名，实际参加11名。活动首先进行了党费收缴和党员积
分公示，随后由支部书记孙丽同志以《坚持以改造人为宗旨，推动教育改造工作提质增效》为题讲授专题党
课。孙丽同志从监区罪犯构成变化、教育改造工作中存在的短板以及下一步工作打算三个方面进行了深入阐
述，要求大家把改造罪犯放在更加突出的位置，做到因人施教、分类矫治。在讨论环节，青年民警吴凯结合
自己担任分监区长的经历，介绍了运用计分考核激励罪犯积极改造的做法；老党员郑德明同志则分享了三十
年来做好顽危犯转化工作的经验，引起大家共鸣。党员们一致表示，要把学习成果体现到管好每一名罪犯、
守好每一个岗位上。活动最后，全体党员观看了反映监狱人民警察忠诚履职的专题片，并在党员承诺栏上签
下了本年度个人承诺。"""

# THEMED_DAY_A handed in again a month later: new date, another host, one sentence added.
THEMED_DAY_A_COPY = (
    THEMED_DAY_A.replace("2023年4月18日", "2023年5月16日")
    .replace("王建华", "刘志强")
    .replace(
        "四是为民服务。",
        "会上还通报了近期安全隐患排查整改情况。四是为民服务。",
    )
)


def doc(doc_id: int, text: str, org_id: int = 1) -> Document:
    return Document(id=doc_id, org_id=org_id, text=text)


# --- Normalisation and exact similarity -----------------------------------------------------


def test_normalise_drops_whitespace_and_punctuation_of_both_widths():
    text = " 学习，贯彻。“二十大”精神！\n\tＡＢＣ１２３ ①《党章》【一】…—·; (a_b) 100% "
    assert normalise(text) == "学习贯彻二十大精神abc1231党章一ab100"


def test_punctuation_and_whitespace_differences_are_ignored():
    reformatted = (
        THEMED_DAY_A.replace("，", ",")
        .replace("。", ". ")
        .replace("“", '"')
        .replace("”", '"')
        .replace("\n", "")
        .replace("；", "\n\n")
        .replace("、", " ")
    )
    assert reformatted != THEMED_DAY_A
    assert text_similarity(THEMED_DAY_A, reformatted) == 1.0
    (match,) = find_near_duplicates([doc(1, THEMED_DAY_A), doc(2, reformatted)])
    assert match == Match(a_id=1, b_id=2, similarity=1.0, same_org=True)


def test_identical_text_is_similarity_one():
    assert text_similarity(THEMED_DAY_A, THEMED_DAY_A) == 1.0
    assert find_near_duplicates([doc(5, THEMED_DAY_B, 1), doc(3, THEMED_DAY_B, 2)]) == [
        Match(a_id=3, b_id=5, similarity=1.0, same_org=False)
    ]


def test_lightly_edited_copy_is_flagged():
    similarity = text_similarity(THEMED_DAY_A, THEMED_DAY_A_COPY)
    assert 0.8 <= similarity < 1.0
    (match,) = find_near_duplicates([doc(1, THEMED_DAY_A, 1), doc(2, THEMED_DAY_A_COPY, 7)])
    assert (match.a_id, match.b_id, match.same_org) == (1, 2, False)
    assert match.similarity == pytest.approx(similarity)


def test_different_minutes_on_the_same_topic_are_not_flagged():
    assert text_similarity(THEMED_DAY_A, THEMED_DAY_B) < 0.1
    assert find_near_duplicates([doc(1, THEMED_DAY_A), doc(2, THEMED_DAY_B)]) == []
    # Not even at a low threshold.
    assert find_near_duplicates([doc(1, THEMED_DAY_A), doc(2, THEMED_DAY_B)], threshold=0.3) == []


def test_short_texts_are_ignored():
    short = "会议学习了党章,重温入党誓词。"
    forty = normalise(THEMED_DAY_A)[:40]
    thirty_nine = normalise(THEMED_DAY_B)[:39]
    docs = [
        doc(1, short),
        doc(2, short),
        doc(3, thirty_nine),
        doc(4, "。".join(thirty_nine)),  # punctuation does not count towards the length
        doc(5, forty),
        doc(6, forty + "\n"),
    ]
    result = search_near_duplicates(docs)
    assert result.skipped_short == [1, 2, 3, 4]
    assert result.documents == 2
    assert find_near_duplicates(docs) == [Match(5, 6, 1.0, True)]
    assert find_near_duplicates(docs, min_length=10) == [
        Match(1, 2, 1.0, True),
        Match(3, 4, 1.0, True),
        Match(5, 6, 1.0, True),
    ]


def test_same_org_flag():
    docs = [doc(1, THEMED_DAY_A, 10), doc(2, THEMED_DAY_A_COPY, 10), doc(3, THEMED_DAY_A, 11)]
    flags = {(m.a_id, m.b_id): m.same_org for m in find_near_duplicates(docs)}
    assert flags == {(1, 2): True, (1, 3): False, (2, 3): False}


def test_results_are_sorted_by_similarity_then_ids_with_each_pair_once():
    docs = [
        doc(9, THEMED_DAY_A_COPY),
        doc(4, THEMED_DAY_A),
        doc(7, THEMED_DAY_B),
        doc(2, THEMED_DAY_B),
        doc(8, THEMED_DAY_A),
    ]
    matches = find_near_duplicates(docs)
    assert [(m.a_id, m.b_id) for m in matches] == [(2, 7), (4, 8), (4, 9), (8, 9)]
    assert [m.similarity for m in matches][:2] == [1.0, 1.0]
    assert all(m.a_id < m.b_id for m in matches)


def test_many_identical_copies_are_grouped_and_all_pairs_reported():
    docs = [doc(i, THEMED_DAY_B, org_id=i % 2) for i in range(6)]
    result = search_near_duplicates(docs)
    assert result.candidate_pairs == 0  # one distinct text: nothing to compare
    assert len(result.matches) == 15
    assert {(m.a_id, m.b_id) for m in result.matches} == set(itertools.combinations(range(6), 2))


def test_duplicate_ids_and_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="重复"):
        find_near_duplicates([doc(1, THEMED_DAY_A), doc(1, THEMED_DAY_B)])
    for bad in ({"threshold": 0}, {"threshold": 1.5}, {"k": 0}, {"num_perm": 100}, {"bands": 0}):
        with pytest.raises(ValueError):
            find_near_duplicates([], **bad)


def test_jaccard():
    assert jaccard(frozenset("abc"), frozenset("bcd")) == 0.5
    assert jaccard(frozenset(), frozenset()) == 1.0
    assert shingles("党的二十大精神", k=5) == {"党的二十大", "的二十大精", "二十大精神"}


# --- Internals: fingerprints and banding --------------------------------------------------


@pytest.mark.parametrize("k", [1, 3, 5, 7, 9])
def test_fingerprints_of_all_windows_at_once_equal_the_per_window_formula(k):
    rng = random.Random(k)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 200)] + list("0123456789") + ["𠀀", "𪚥"]
    text = "".join(rng.choice(alphabet) for _ in range(300))
    layout = _layout(k)
    expected = []
    for start in range(len(text) - k + 1):
        key = sum(ord(char) << (21 * j) for j, char in enumerate(text[start : start + k]))
        expected.append(
            (layout.multiplier * key % (1 << layout.key_bits)) >> (layout.key_bits - 64)
        )
    assert _fingerprints(text, k) == expected
    assert _fingerprints(text[: k - 1], k) == []


def test_banding_is_chosen_from_the_threshold():
    assert banding_for(0.8) == (25, 5)
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9):
        bands, rows = banding_for(threshold)
        assert bands * rows <= 128
        assert 1 - (1 - threshold**rows) ** bands >= 0.999
        # One more row would fall short of the recall target.
        assert 1 - (1 - threshold ** (rows + 1)) ** (128 // (rows + 1)) < 0.999


def test_agrees_with_brute_force_on_a_corpus_of_near_and_far_pairs():
    rng = random.Random(2023)
    sentences = [
        line.strip()
        for text in (THEMED_DAY_A, THEMED_DAY_B)
        for line in text.replace("\n", "").replace("。", "。\n").splitlines()
        if line.strip()
    ]
    names = ["王建华", "刘志强", "陈静", "周涛", "孙丽", "吴凯", "赵敏", "黄磊"]
    texts = []
    for _ in range(80):  # long records and short ones (a few with fewer shingles than bins)
        picked = rng.sample(sentences, rng.choice([2, 3, 5, 7, 9]))
        texts.append("".join(picked))
    for _ in range(60):  # edited copies of earlier texts
        source = rng.choice(texts)
        texts.append(source.replace(rng.choice(names), rng.choice(names)) + rng.choice(sentences))
    docs = [doc(i, text, org_id=i % 5) for i, text in enumerate(texts)]
    sets = {d.id: shingles(d.text) for d in docs if len(normalise(d.text)) >= 40}
    assert min(len(shingles) for shingles in sets.values()) < 128
    for threshold in (0.5, 0.7, 0.8, 0.9):
        brute = {
            (a, b)
            for a, b in itertools.combinations(sorted(sets), 2)
            if jaccard(sets[a], sets[b]) >= threshold
        }
        found = {(m.a_id, m.b_id) for m in find_near_duplicates(docs, threshold=threshold)}
        assert len(brute) > 20
        assert found == brute


# --- Determinism --------------------------------------------------------------------------

_RUN = """
import json, sys
from tongxin.party.similarity import Document, search_near_duplicates
texts = json.loads(sys.stdin.read())
result = search_near_duplicates(
    [Document(id=i, org_id=i % 3, text=t) for i, t in enumerate(texts)], threshold=0.3
)
matches = [[m.a_id, m.b_id, m.similarity] for m in result.matches]
print(json.dumps([result.candidate_pairs, matches]))
"""


def test_same_result_across_processes_with_different_string_hash_seeds():
    texts = [THEMED_DAY_A, THEMED_DAY_B, THEMED_DAY_A_COPY, THEMED_DAY_B[:200] + THEMED_DAY_A[:300]]
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        completed = subprocess.run(
            [sys.executable, "-c", _RUN],
            input=json.dumps(texts),
            capture_output=True,
            text=True,
            env=env,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        outputs.add(completed.stdout)
    assert len(outputs) == 1
    candidate_pairs, matches = json.loads(outputs.pop())
    assert candidate_pairs >= len(matches) >= 1
